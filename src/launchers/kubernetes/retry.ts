import { delayHonouringRetryAfter } from '../../common/retry-policy.js'
import type { RetryPolicy } from '../../common/retry-policy.js'
import { sleep } from '../../common/sleep.js'

/** How transient failures of a Kubernetes API call are retried. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 }

export interface RetryHooks {
  isTransient(error: unknown): boolean
  /** The wait the server asked for, if any; it wins over a shorter backoff. */
  retryAfterMs?(error: unknown): number | undefined
  onRetry?(error: unknown, delayMs: number, retry: number): void
  signal?: AbortSignal
}

export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    hooks.signal?.throwIfAborted()
    try {
      return await operation()
    } catch (error) {
      hooks.signal?.throwIfAborted()
      if (attempt >= policy.attempts || !hooks.isTransient(error)) throw error
      const delay = delayHonouringRetryAfter(policy, attempt, hooks.retryAfterMs?.(error))
      hooks.onRetry?.(error, delay, attempt)
      await sleep(delay, hooks.signal)
    }
  }
}
