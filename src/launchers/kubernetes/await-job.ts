import type { V1Job, V1Pod } from '@kubernetes/client-node'
import { sleep } from '../../common/sleep.js'
import type { ApiCallOptions } from './api-call.js'
import type { KubeClients } from './kubeconfig.js'
import { linkedSignal } from './linked-signal.js'
import { monitorPods } from './monitor-pods.js'
import type { PodProblem } from './pod-diagnostics.js'
import type { JobEnd } from './job-end.js'
import type { JobSubscription } from './job-subscription.js'

/** What ended bf's wait for a Job. */
export type AwaitResult =
  | { kind: 'end'; end: JobEnd }
  | { kind: 'stuck'; problem: PodProblem }
  /** bf's `job.timeout` passed (or the caller aborted with a TimeoutError). */
  | { kind: 'timeout' }
  /** The caller aborted for another reason (bf must stop now): the Job is left running. */
  | { kind: 'interrupted'; reason: unknown }
  /** The API kept failing beyond retries: the Job's fate is unknown. */
  | { kind: 'lost'; error: unknown }

export interface AwaitJobOptions {
  clients: KubeClients
  namespace: string
  /** The Job as bf created, adopted or found it. */
  job: V1Job
  /** Its share of the cluster's Job watch. */
  subscription: JobSubscription
  /** Epoch ms after which bf gives up on the Job. */
  deadlineAt?: number
  /** The run's signal. */
  signal: AbortSignal
  /** Call options; their signal is replaced by one that also stops when the wait ends. */
  call: ApiCallOptions
  podCheckIntervalMs: number
  podStuckGraceMs: number
  onJob?(job: V1Job): void
  onPods?(pods: V1Pod[]): void
}

/**
 * Races the Job's end (from the shared watch) against stuck pods, the deadline and the
 * caller's signal. Pods are looked at only while the Job is slow to start: none of its
 * pods ready or done yet one check interval after bf began to wait.
 */
export async function awaitJob(options: AwaitJobOptions): Promise<AwaitResult> {
  const done = new AbortController()
  const linked = linkedSignal([options.signal, done.signal])
  const { signal } = linked
  const call: ApiCallOptions = { ...options.call, signal }
  let latest = options.job
  const onJob = (job: V1Job): void => {
    latest = job
    options.onJob?.(job)
  }
  const contenders: Array<Promise<AwaitResult | undefined>> = [
    quiet(
      options.subscription.end(options.job, { signal, onJob }).then((end): AwaitResult => ({ kind: 'end', end })),
      signal,
    ),
    quiet(
      monitorPods({
        namespace: options.namespace,
        jobUid: options.job.metadata?.uid ?? '',
        call,
        core: options.clients.core,
        intervalMs: options.podCheckIntervalMs,
        graceMs: options.podStuckGraceMs,
        shouldCheck: () => slowToStart(latest),
        onPods: options.onPods,
      }).then((problem): AwaitResult => ({ kind: 'stuck', problem })),
      signal,
    ),
    whenAborted(options.signal, done.signal),
  ]
  if (options.deadlineAt !== undefined) {
    contenders.push(quiet(untilDeadline(options.deadlineAt, signal), signal))
  }
  try {
    // A contender stopped by the signal yields undefined; whenAborted answers for it.
    const results = contenders.map((contender) => contender.then((result) => result ?? new Promise<never>(() => {})))
    return await Promise.race(results)
  } finally {
    done.abort()
    linked.dispose()
  }
}

/**
 * No pod of the Job is ready, and none has succeeded: its pods may be stuck (image pull,
 * scheduling, config). A server older than `status.ready` (1.24) always looks slow.
 */
export function slowToStart(job: V1Job): boolean {
  return (job.status?.ready ?? 0) === 0 && (job.status?.succeeded ?? 0) === 0
}

/** `timeout` at the deadline; rejects with the signal's reason when it aborts first, so it is no timeout. */
async function untilDeadline(deadlineAt: number, signal: AbortSignal): Promise<AwaitResult> {
  await sleep(Math.max(0, deadlineAt - Date.now()), signal)
  signal.throwIfAborted()
  return { kind: 'timeout' }
}

/** Answers when `signal` aborts; stops listening when `until` aborts (the wait is over). */
function whenAborted(signal: AbortSignal, until: AbortSignal): Promise<AwaitResult> {
  return new Promise((resolve) => {
    const answer = (): void => {
      until.removeEventListener('abort', stop)
      resolve(isTimeout(signal.reason) ? { kind: 'timeout' } : { kind: 'interrupted', reason: signal.reason })
    }
    const stop = (): void => signal.removeEventListener('abort', answer)
    if (signal.aborted) return answer()
    signal.addEventListener('abort', answer, { once: true })
    until.addEventListener('abort', stop, { once: true })
  })
}

/** A contender's failure becomes `lost`, unless it merely stopped because the wait ended. */
function quiet(promise: Promise<AwaitResult>, signal: AbortSignal): Promise<AwaitResult | undefined> {
  return promise.catch((error: unknown): AwaitResult | undefined => (signal.aborted ? undefined : { kind: 'lost', error }))
}

/** True for an abort reason that means "time is up" (`AbortSignal.timeout`'s TimeoutError). */
export function isTimeout(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
}
