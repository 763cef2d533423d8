/** A signal bound to others for a while; `dispose` unbinds it. */
export interface LinkedSignal {
  signal: AbortSignal
  dispose(): void
}

/**
 * A signal that aborts when any of `sources` aborts (with its reason), or after
 * `timeoutMs` with a TimeoutError. Unlike `AbortSignal.any`, it leaves nothing on its
 * sources once disposed: Node keeps every `AbortSignal.any` signal that has listeners
 * for as long as a source may abort, so one made per Job from the launcher's long-lived
 * signal would keep every Job's wait in memory until bf exits.
 */
export function linkedSignal(sources: ReadonlyArray<AbortSignal | undefined>, timeoutMs?: number): LinkedSignal {
  const controller = new AbortController()
  const bound: Array<{ source: AbortSignal; onAbort(): void }> = []
  let timer: NodeJS.Timeout | undefined
  const dispose = (): void => {
    clearTimeout(timer)
    for (const { source, onAbort } of bound.splice(0)) source.removeEventListener('abort', onAbort)
  }
  const abort = (reason: unknown): void => {
    dispose()
    controller.abort(reason)
  }
  for (const source of sources) {
    if (!source) continue
    if (source.aborted) {
      abort(source.reason)
      break
    }
    const onAbort = (): void => abort(source.reason)
    source.addEventListener('abort', onAbort, { once: true })
    bound.push({ source, onAbort })
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    timer = setTimeout(() => abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs)
  }
  return { signal: controller.signal, dispose }
}
