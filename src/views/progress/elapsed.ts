/** `42s`, `1m02s`, `1h02m`: how long a step has run or took. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1_000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** `~12m`, `~1h05m`, `<1m`: an estimate, rounded up to whole minutes. */
export function formatEta(ms: number): string {
  const minutes = Math.ceil(ms / 60_000)
  if (minutes <= 1) return ms < 60_000 ? '<1m' : '~1m'
  if (minutes < 60) return `~${minutes}m`
  return `~${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}
