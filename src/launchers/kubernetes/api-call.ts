import { Observable } from '@kubernetes/client-node'
import type { RetryPolicy } from '../../common/retry-policy.js'
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node'
import { describeApiError, isTransientApiError, retryAfterMs } from './api-errors.js'
import { withRetry } from '../../common/with-retry.js'
import { linkedSignal } from './linked-signal.js'
import type { RateLimiter } from './rate-limiter.js'

/** How every API request of one operation is sent. */
export interface ApiCallOptions {
  /** Stops the request (and any retry) when aborted. */
  signal?: AbortSignal
  retry: RetryPolicy
  /** A single request that gets no answer within this is cut and retried. */
  requestTimeoutMs: number
  /** Told about each retry, for the live view. */
  note?(message: string): void
  /** The cluster's client-side rate limit: every try waits for its turn before its own timeout starts. */
  limiter?: RateLimiter
}

/**
 * Runs one API request, retrying transient failures. `request` receives the per-call
 * client options that carry the abort signal and the request timeout.
 */
export function apiCall<T>(what: string, request: (options: ConfigurationOptions) => Promise<T>, options: ApiCallOptions): Promise<T> {
  const send = async (): Promise<T> => {
    await options.limiter?.take(options.signal)
    const linked = linkedSignal([options.signal], options.requestTimeoutMs)
    try {
      return await request(requestOptions(linked.signal))
    } finally {
      linked.dispose()
    }
  }
  return withRetry(send, options.retry, {
    isTransient: isTransientApiError,
    retryAfterMs,
    signal: options.signal,
    onRetry: (error, delayMs) => options.note?.(`${what}: ${describeApiError(error)}; retrying in ${Math.round(delayMs)} ms`),
  })
}

/** Client options that carry `signal` to the request. */
function requestOptions(signal: AbortSignal): ConfigurationOptions {
  const carrySignal: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal)
      return new Observable(Promise.resolve(context))
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  }
  return { middleware: [carrySignal], middlewareMergeStrategy: 'append' }
}
