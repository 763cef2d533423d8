import { setTimeout as delay } from 'node:timers/promises'

/** Waits `ms`, or less when `signal` aborts; never throws. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return
  try {
    await delay(ms, undefined, signal ? { signal } : undefined)
  } catch {
    // Aborted: the caller looks at the signal.
  }
}
