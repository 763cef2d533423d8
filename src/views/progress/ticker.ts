/** Calls `tick` every `ms` until the returned stop function is called; an unref'd interval, so it never keeps bf alive. */
export function realInterval(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms)
  timer.unref()
  return () => clearInterval(timer)
}
