import { sleep } from '../../common/sleep.js'

/** Time as the gates see it: tests drive it, an apply uses the real one. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export const realClock: Clock = { now: () => Date.now(), sleep }
