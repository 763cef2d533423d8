import type { RetryPolicy } from '../../common/retry-policy.js'

/** How transient failures of a Kubernetes API call are retried. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 }
