import type { CoreV1Api, V1Pod } from '@kubernetes/client-node'
import { sleep } from '../../common/sleep.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { describeApiError } from './api-errors.js'
import type { PodProblem } from './pod-diagnostics.js'
import { StuckPodTracker } from './pod-diagnostics.js'

export interface MonitorPodsOptions {
  core: CoreV1Api
  namespace: string
  jobUid: string
  intervalMs: number
  /** How long a problem may last before the attempt fails on it. */
  graceMs: number
  /** Its signal stops the monitor (the promise then rejects with the signal's reason). */
  call: ApiCallOptions
  /** Whether the pods need a look now; checked before each, after the first interval. */
  shouldCheck(): boolean
  onPods?(pods: V1Pod[]): void
}

/** The pods a Job made, found by its uid (names and the `job-name` label can be reused). */
export async function listJobPods(core: CoreV1Api, namespace: string, jobUid: string, call: ApiCallOptions): Promise<V1Pod[]> {
  const list = await apiCall(
    'list pods',
    (options) => core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/controller-uid=${jobUid}` }, options),
    call,
  )
  return list.items
}

/**
 * Polls the Job's pods, each interval while `shouldCheck` says so, and resolves with the
 * first problem (image pull back-off, unschedulable, bad config) that outlasts the grace
 * period; runs until then or until stopped. Failing reads are noted, not fatal: the
 * Job's own status decides the rest.
 */
export async function monitorPods(options: MonitorPodsOptions): Promise<PodProblem> {
  const tracker = new StuckPodTracker(options.graceMs)
  let lastError: string | undefined
  for (;;) {
    await sleep(options.intervalMs, options.call.signal)
    options.call.signal?.throwIfAborted()
    if (!options.shouldCheck()) continue
    try {
      const pods = await listJobPods(options.core, options.namespace, options.jobUid, options.call)
      lastError = undefined
      options.onPods?.(pods)
      const problem = tracker.observe(pods)
      if (problem) return problem
    } catch (error) {
      options.call.signal?.throwIfAborted()
      const message = describeApiError(error)
      if (message !== lastError) options.call.note?.(`cannot list the Job's pods: ${message}`)
      lastError = message
    }
  }
}
