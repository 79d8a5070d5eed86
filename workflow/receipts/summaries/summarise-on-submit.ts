import type { RequestService } from '../../request-service.js'
import type { RequestSummaries } from './request-summaries.js'

/**
 * The request service, with a summary written after every submit and resubmit has committed and
 * before its caller sends the approvers' cards, so their first card already carries it.
 */
export function summariseOnSubmit<T extends Pick<RequestService, 'submit' | 'resubmit'>>(service: T, summaries: RequestSummaries): T {
  return new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if ((property !== 'submit' && property !== 'resubmit') || typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        const result = (await Reflect.apply(value, target, args)) as Awaited<ReturnType<RequestService['submit']>>
        if (result.request.status === 'pending') await summaries.prepare(result.request.id)
        return result
      }
    },
  })
}
