import type { StopSignals } from '../engine/executor.js'

/**
 * First SIGINT/SIGTERM: start nothing new and let running steps reach a safe point.
 * Second: stop now (every transition is already journaled, so the state stays valid).
 */
export function installStopSignals(onSignal: (signal: string, immediate: boolean) => void): StopSignals & { dispose(): void } {
  const stopping = new AbortController()
  const aborted = new AbortController()
  const handler = (signal: NodeJS.Signals): void => {
    const immediate = stopping.signal.aborted
    onSignal(signal, immediate)
    if (immediate) aborted.abort()
    else stopping.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    stopping: stopping.signal,
    aborted: aborted.signal,
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
