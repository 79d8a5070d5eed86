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

/** Submission refused by policy rules of severity block; the findings say what and how to fix. */
export class PolicyBlockedError extends DomainError {
  constructor(readonly findings: ReadonlyArray<{ code: string; message: string; fix: string }>) {
    const lines = findings.map((f) => `【${f.code}】${f.message}。${f.fix}`)
    super('VALIDATION', `未通过报销规则检查，暂不能提交：\n${lines.join('\n')}`, `blocked by policy: ${findings.map((f) => f.code).join(', ')}`)
    this.name = 'PolicyBlockedError'
  }
}
