import { Watch } from '@kubernetes/client-node'
import type { KubeConfig, BatchV1Api, V1Job, V1JobCondition } from '@kubernetes/client-node'
import { backoffDelay, delayHonouringRetryAfter } from '../../common/retry-policy.js'
import { sleep } from '../../common/sleep.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus, isTransientApiError, retryAfterMs, statusFromObject } from './api-errors.js'

/** How a watched Job ended, as far as bf is concerned. */
export type JobEnd =
  | {
      kind: 'finished'
      succeeded: boolean
      /** The condition that decided: `Complete`, `SuccessCriteriaMet`, `Failed`, `FailureTarget`. */
      condition: string
      reason?: string
      message?: string
      job: V1Job
    }
  | { kind: 'deleted' }

export interface WatchJobOptions {
  kubeConfig: KubeConfig
  batch: BatchV1Api
  namespace: string
  jobName: string
  /** The Job bf created or adopted: a Job recreated under the same name is another Job. */
  jobUid: string
  /** Its signal stops the watch (the promise then rejects with the signal's reason). */
  call: ApiCallOptions
  /** Asks the server to end each watch after this long; bf then reconnects. */
  watchTimeoutSeconds: number
  onJob?(job: V1Job): void
}

/**
 * The end of a Job from its conditions only (`Complete`/`Failed`, or the earlier
 * `SuccessCriteriaMet`/`FailureTarget`, with status "True"); never from the counters.
 */
export function jobEnd(job: V1Job): JobEnd | undefined {
  const conditions = job.status?.conditions ?? []
  const isTrue = (type: string): V1JobCondition | undefined => conditions.find((condition) => condition.type === type && condition.status === 'True')
  const failed = isTrue('Failed') ?? isTrue('FailureTarget')
  const complete = isTrue('Complete') ?? isTrue('SuccessCriteriaMet')
  const decided = failed ?? complete
  if (!decided) return undefined
  return {
    kind: 'finished',
    succeeded: !failed,
    condition: decided.type,
    ...(decided.reason ? { reason: decided.reason } : {}),
    ...(decided.message ? { message: decided.message } : {}),
    job,
  }
}

type WatchResult =
  | { kind: 'end'; end: JobEnd }
  | { kind: 'gone' }
  | { kind: 'closed'; resourceVersion: string | undefined; events: number }
  | { kind: 'error'; error: unknown; resourceVersion: string | undefined }

/**
 * Waits for the Job to finish or disappear: lists it, watches from the list's
 * resourceVersion, reconnects when the stream ends (watches end silently), and lists again
 * after 410 Gone. Transient failures are retried with backoff; others are thrown.
 */
export async function watchJobUntilEnd(options: WatchJobOptions): Promise<JobEnd> {
  const { call } = options
  let resourceVersion: string | undefined
  let failures = 0
  for (;;) {
    call.signal?.throwIfAborted()
    if (resourceVersion === undefined) {
      const listed = await listJob(options)
      if (listed.end) return listed.end
      resourceVersion = listed.resourceVersion ?? ''
    }
    const result = await watchOnce(options, resourceVersion)
    call.signal?.throwIfAborted()
    switch (result.kind) {
      case 'end':
        return result.end
      case 'gone':
        resourceVersion = undefined
        failures = 0
        break
      case 'closed':
        resourceVersion = result.resourceVersion
        if (result.events > 0) failures = 0
        // A server that closes every watch at once must not be hammered.
        else await sleep(backoffDelay(call.retry, Math.min(++failures, 10)), call.signal)
        break
      case 'error':
        if (!isTransientWatchError(result.error) || ++failures >= call.retry.attempts) throw result.error
        call.note?.(`watch of Job ${options.jobName} interrupted; reconnecting`)
        await sleep(delayHonouringRetryAfter(call.retry, failures, retryAfterMs(result.error)), call.signal)
        resourceVersion = result.resourceVersion
        break
    }
  }
}

/** A watch stream that breaks without an HTTP status (reset, premature close) is worth reconnecting. */
function isTransientWatchError(error: unknown): boolean {
  return apiStatus(error) === undefined || isTransientApiError(error)
}

async function listJob(options: WatchJobOptions): Promise<{ end?: JobEnd; resourceVersion?: string }> {
  const list = await apiCall(
    `list Job ${options.jobName}`,
    (requestOptions) => options.batch.listNamespacedJob({ namespace: options.namespace, fieldSelector: `metadata.name=${options.jobName}` }, requestOptions),
    options.call,
  )
  const job = list.items.find((item) => item.metadata?.uid === options.jobUid)
  if (!job) return { end: { kind: 'deleted' } }
  options.onJob?.(job)
  const end = jobEnd(job)
  return end ? { end } : { resourceVersion: list.metadata?.resourceVersion ?? '' }
}

function watchOnce(options: WatchJobOptions, resourceVersion: string): Promise<WatchResult> {
  const signal = options.call.signal
  return new Promise((resolve) => {
    let latest: string | undefined = resourceVersion
    let events = 0
    let settled = false
    let controller: AbortController | undefined
    // The server ends every watch after timeoutSeconds: one still open well past that is a dead connection.
    const silentMs = options.watchTimeoutSeconds * 1000 + options.call.requestTimeoutMs
    const silent = setTimeout(() => {
      const error = Object.assign(new Error(`the watch of Job ${options.jobName} got no answer within ${Math.round(silentMs / 100) / 10}s`), { name: 'TimeoutError' })
      settle({ kind: 'error', error, resourceVersion: latest })
    }, silentMs)
    const settle = (result: WatchResult): void => {
      if (settled) return
      settled = true
      clearTimeout(silent)
      signal?.removeEventListener('abort', onAbort)
      controller?.abort()
      resolve(result)
    }
    const onAbort = (): void => settle({ kind: 'closed', resourceVersion: latest, events })
    signal?.addEventListener('abort', onAbort, { once: true })

    const onEvent = (type: string, object: unknown): void => {
      events++
      if (type === 'ERROR') {
        const status = statusFromObject(object)
        if (status.code === 410) settle({ kind: 'gone' })
        else settle({ kind: 'error', error: { code: status.code, body: object }, resourceVersion: latest })
        return
      }
      const job = object as V1Job
      if (job.metadata?.resourceVersion) latest = job.metadata.resourceVersion
      if (type === 'BOOKMARK' || job.metadata?.uid !== options.jobUid) return
      if (type === 'DELETED') {
        settle({ kind: 'end', end: { kind: 'deleted' } })
        return
      }
      options.onJob?.(job)
      const end = jobEnd(job)
      if (end) settle({ kind: 'end', end })
    }
    const onDone = (error: unknown): void => {
      if (error == null) settle({ kind: 'closed', resourceVersion: latest, events })
      else if (apiStatus(error)?.code === 410) settle({ kind: 'gone' })
      else settle({ kind: 'error', error, resourceVersion: latest })
    }

    const path = `/apis/batch/v1/namespaces/${encodeURIComponent(options.namespace)}/jobs`
    const query = {
      fieldSelector: `metadata.name=${options.jobName}`,
      resourceVersion,
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
