/** Machine-readable codes; each maps to one HTTP status at the edge. */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'NOT_APPROVER'
  | 'ALREADY_DECIDED'
  | 'INVALID_STATE'
  | 'VALIDATION'
  | 'NO_APPROVER'

/** An error a person can read: Chinese first, English after. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
    this.name = 'DomainError'
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError
}
