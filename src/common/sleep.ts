/**
 * Resolves after `ms`, or at once when `signal` is or becomes aborted; it never rejects.
 * Either way its timer and its abort listener are gone when it resolves, so a long sleep
 * cut short keeps neither the process nor the signal busy. A caller that must stop on
 * abort checks `signal.aborted` (or calls `signal.throwIfAborted()`) afterwards.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
