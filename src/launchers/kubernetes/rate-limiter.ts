import { sleep } from '../../common/sleep.js'
import { DEFAULTS } from '../../plan/defaults.js'

/** Client-side limits of one cluster's API requests; client-go's (and so kubectl's) defaults. */
export const DEFAULT_RATE_LIMIT = { qps: DEFAULTS.kubernetesQps, burst: DEFAULTS.kubernetesBurst } as const

/**
 * A token bucket like client-go's: up to `burst` requests at once, then `qps` a second.
 * Callers are served in the order they asked, each waiting for its own token.
 */
export class RateLimiter {
  private tokens: number
  private refilledAt: number
  /** The time the last reserved token becomes available: reservations queue behind it. */
  private queue = Promise.resolve()

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`a rate limit needs qps > 0 and burst ≥ 1 (got qps ${qps}, burst ${burst})`)
    this.tokens = burst
    this.refilledAt = now()
  }

  /** Resolves when a request may be sent; rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    const turn = this.queue.then(() => this.waitForToken(signal))
    // A caller that gave up must not hold up the ones behind it.
    this.queue = turn.catch(() => undefined)
    return turn
  }

  private async waitForToken(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      this.refill()
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.qps) * 1000), signal)
    }
  }

  private refill(): void {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.qps)
    this.refilledAt = now
  }
}
