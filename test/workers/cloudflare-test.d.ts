/**
 * The slice of @cloudflare/vitest-pool-workers' `cloudflare:test` module these tests use, declared
 * locally because the project does not install @cloudflare/workers-types, which its own types need.
 */
declare module 'cloudflare:test' {
  export const env: Record<string, unknown>
  export const SELF: { fetch(input: string | Request, init?: RequestInit): Promise<Response> }
  export function runInDurableObject<R>(stub: unknown, callback: (instance: unknown, state: import('cloudflare:workers').DurableObjectState) => R | Promise<R>): Promise<R>
  export function createExecutionContext(): { waitUntil(promise: Promise<unknown>): void }
  export function waitOnExecutionContext(ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void>
  export function createScheduledController(options?: { scheduledTime?: number; cron?: string }): unknown
}
