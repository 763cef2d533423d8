import { Watch } from '@kubernetes/client-node'
import type { KubeConfig, V1Job } from '@kubernetes/client-node'
import { apiStatus, statusFromObject } from './api-errors.js'

/** How one watch request ended. */
export type StreamEnd =
  /** 410 Gone: the resourceVersion is too old; list again. */
  | { kind: 'gone' }
  /** The server ended it (its timeout) or bf stopped it: reconnect from `resourceVersion`. */
  | { kind: 'closed'; resourceVersion: string; events: number }
  | { kind: 'error'; error: unknown; resourceVersion: string }

export interface StreamOptions {
  kubeConfig: KubeConfig
  namespace: string
  labelSelector: string
  resourceVersion: string
  /** Asks the server to end the watch after this long. */
  watchTimeoutSeconds: number
  /** Added to the server's timeout: a watch still open after both is a dead connection. */
  requestTimeoutMs: number
  /** Stops the watch; it then ends as `closed`. */
  signal?: AbortSignal
  /** Names the watch in errors: `Jobs of plan relabel-2026 in cresta-cron`. */
  what: string
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', job: V1Job): void
}

/**
 * One watch request on Jobs, from a resourceVersion: events go to `onEvent` (bookmarks
 * only move the resourceVersion on), and the promise says how the stream ended.
 */
export function watchJobsOnce(options: StreamOptions): Promise<StreamEnd> {
  const { signal } = options
  return new Promise((resolve) => {
    let latest = options.resourceVersion
    let events = 0
    let settled = false
    let controller: AbortController | undefined
    const silentMs = options.watchTimeoutSeconds * 1000 + options.requestTimeoutMs
    const silent = setTimeout(() => {
      const error = Object.assign(new Error(`the watch of ${options.what} got no answer within ${Math.round(silentMs / 100) / 10}s`), { name: 'TimeoutError' })
      settle({ kind: 'error', error, resourceVersion: latest })
    }, silentMs)
    const settle = (result: StreamEnd): void => {
      if (settled) return
      settled = true
      clearTimeout(silent)
      signal?.removeEventListener('abort', onAbort)
      controller?.abort()
      resolve(result)
    }
    const onAbort = (): void => settle({ kind: 'closed', resourceVersion: latest, events })
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })

    const onEvent = (type: string, object: unknown): void => {
      if (settled) return
      events++
      if (type === 'ERROR') {
        const status = statusFromObject(object)
        if (status.code === 410) settle({ kind: 'gone' })
        else settle({ kind: 'error', error: { code: status.code, body: object }, resourceVersion: latest })
        return
      }
      const job = object as V1Job
      if (job.metadata?.resourceVersion) latest = job.metadata.resourceVersion
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') options.onEvent(type, job)
    }
    const onDone = (error: unknown): void => {
      if (error == null) settle({ kind: 'closed', resourceVersion: latest, events })
      else if (apiStatus(error)?.code === 410) settle({ kind: 'gone' })
      else settle({ kind: 'error', error, resourceVersion: latest })
    }

    const path = `/apis/batch/v1/namespaces/${encodeURIComponent(options.namespace)}/jobs`
    const query = {
      labelSelector: options.labelSelector,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: options.watchTimeoutSeconds,
    }
    new Watch(options.kubeConfig).watch(path, query, onEvent, onDone).then(
      (started) => {
        controller = started
        if (settled) started.abort()
      },
      (error: unknown) => settle({ kind: 'error', error, resourceVersion: latest }),
    )
  })
}
