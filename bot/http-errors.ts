import type { DomainErrorCode } from '../workflow/errors.js'

/** One HTTP status per domain error code, for every route that surfaces domain errors. */
export const HTTP_STATUS_OF: Record<DomainErrorCode, 400 | 403 | 404 | 409 | 422> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  NOT_APPROVER: 403,
  ALREADY_DECIDED: 409,
  INVALID_STATE: 409,
  VALIDATION: 400,
  NO_APPROVER: 422,
}
