/** Capped exponential backoff: the delays between tries of something that failed. */
export interface Backoff {
  /** Delay before the first retry; doubled for each further one. */
  baseDelayMs: number
  /** Upper bound of any delay, a server's requested wait included. */
  maxDelayMs: number
}

/** A backoff and how many tries there are in all. */
export interface RetryPolicy extends Backoff {
  /** Tries in all, the first included. */
  attempts: number
}

/**
 * Delay before retry number `retry` (1 for the first retry): the step
 * `min(maxDelayMs, baseDelayMs * 2^(retry - 1))` times `0.5 + random() / 2`, so between
 * half the step and the whole step, and callers that failed together do not come back
 * together. `random` returns a number from 0 to 1 (`Math.random` by default).
 */
export function backoffDelay(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const step = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (retry - 1))
  return step * (0.5 + random() / 2)
}

/**
 * Delay before retry number `retry` when the server may have asked for a wait (an HTTP
 * `Retry-After`): the longer of that wait and the backoff, but never more than `maxDelayMs`.
 */
export function delayHonouringRetryAfter(backoff: Backoff, retry: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  return Math.min(backoff.maxDelayMs, Math.max(backoffDelay(backoff, retry, random), retryAfterMs ?? 0))
}
