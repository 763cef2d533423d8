import { delayHonouringRetryAfter } from './retry-policy.js'
import type { RetryPolicy } from './retry-policy.js'
import { sleep } from './sleep.js'

/** What a caller of `withRetry` decides: which failures are worth another try, and who hears of one. */
export interface RetryHooks {
  isTransient(error: unknown): boolean
  /** The wait the server asked for, if any; it wins over a shorter backoff. */
  retryAfterMs?(error: unknown): number | undefined
  onRetry?(error: unknown, delayMs: number, retry: number): void
  /** Aborting stops the retries: `withRetry` rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not transient, or has
 * been tried `policy.attempts` times, waiting the policy's backoff between tries.
 */
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
