import { sleep } from '../../common/sleep.js'

/** How transient failures are retried: capped exponential backoff with jitter. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  /** Delay before the first retry; doubled for each further one. */
  baseDelayMs: number
  /** Upper bound of any delay, a server's `Retry-After` included. */
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 }

export interface RetryHooks {
  isTransient(error: unknown): boolean
  /** The wait the server asked for, if any; it wins over a shorter backoff. */
  retryAfterMs?(error: unknown): number | undefined
  onRetry?(error: unknown, delayMs: number, retry: number): void
  signal?: AbortSignal
}

/**
 * Delay before retry number `retry` (1-based): half the capped exponential step plus a
 * random half, so concurrent callers spread out; never less than `retryAfterMs`.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  const jittered = step / 2 + random() * (step / 2)
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0))
}

export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    hooks.signal?.throwIfAborted()
    try {
      return await operation()
    } catch (error) {
      hooks.signal?.throwIfAborted()
      if (attempt >= policy.attempts || !hooks.isTransient(error)) throw error
      const delay = retryDelayMs(attempt, policy, hooks.retryAfterMs?.(error))
      hooks.onRetry?.(error, delay, attempt)
      await sleep(delay, hooks.signal)
    }
  }
}
