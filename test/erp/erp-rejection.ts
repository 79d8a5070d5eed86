import { expect } from 'vitest'
import { ErpError } from '../../erp-bridge/erp-adapter.js'

/** The ErpError a call must fail with; a call that succeeds, or fails with anything else, fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<ErpError> {
  const error = await promise.then(
    () => expect.unreachable('expected the call to fail with an ErpError'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ErpError)
  return error as ErpError
}
