import { existsSync } from 'node:fs'

export interface WaitForOptions {
  /** What is awaited, for the failure message ("the job's marker file"); a function is called only on failure. */
  what: string | (() => string)
  /** How long to wait before failing. Default 10 s. */
  timeoutMs?: number
  /** How long to sleep between checks. Default 10 ms. */
  intervalMs?: number
}

/**
 * Resolves with the first value of `condition` that is neither `undefined`, `null` nor
 * `false`, checking it every `intervalMs`; rejects once `timeoutMs` has passed without one,
 * naming `what` was awaited. An error thrown by `condition` fails the wait at once.
 */
export async function waitFor<T>(condition: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: WaitForOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const intervalMs = options.intervalMs ?? 10
  const started = Date.now()
  let checks = 0
  for (;;) {
    const value = await condition()
    checks++
    if (value !== undefined && value !== null && value !== false) return value
    const waited = Date.now() - started
    if (waited >= timeoutMs) {
      const what = typeof options.what === 'function' ? options.what() : options.what
      throw new Error(`timed out after ${waited} ms (${checks} checks) waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - waited)))
  }
}

/** Waits for a file to exist. */
export function waitForFile(path: string, options: Partial<WaitForOptions> = {}): Promise<true> {
  return waitFor(() => existsSync(path), { what: `the file ${path}`, ...options })
}
