import type { RetryPolicy } from '../common/retry-policy.js'
import { withRetry } from '../common/with-retry.js'
import { WarehouseError } from './errors.js'

/** How transient failures of a warehouse call are retried. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 }

/** One retry about to happen, for whoever wants to show or count it. */
export interface RetryNotice {
  error: WarehouseError
  /** 1 for the first retry. */
  retry: number
  delayMs: number
}

export interface RetryOptions extends Partial<RetryPolicy> {
  onRetry?(notice: RetryNotice): void
}

/** For reads: any transient failure may be retried, the read changes nothing. */
export function isRetryableRead(error: unknown): boolean {
  return error instanceof WarehouseError && error.transient
}

/**
 * For statements that change data (a delete, an insert): only a failure that proves the
 * statement never ran (connection refused, or ClickHouse refused it up front). Anything
 * that may have run is left to the caller, which looks the effect up before sending again.
 */
export function isRetryableWrite(error: unknown): boolean {
  return error instanceof WarehouseError && error.transient && !error.uncertain
}

/** `withRetry` with the warehouse's default policy, `options` overriding it. */
export function withRetries<T>(call: () => Promise<T>, retryable: (error: unknown) => boolean, options: RetryOptions = {}): Promise<T> {
  const policy: RetryPolicy = {
    attempts: options.attempts ?? DEFAULT_RETRY_POLICY.attempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  }
  return withRetry(call, policy, {
    isTransient: retryable,
    onRetry: (error, delayMs, retry) => options.onRetry?.({ error: error as WarehouseError, retry, delayMs }),
  })
}
