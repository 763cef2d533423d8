import type { V1CronJob, V1Job } from '@kubernetes/client-node'
import type { JsonValue } from '../../state/model.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus, describeApiError, forbiddenMessage } from './api-errors.js'
import type { ManifestRequest } from './job-manifest.js'
import { bfSelector, buildJobManifest, kubernetesSpec, notOursReason } from './job-manifest.js'
import type { KubeClients } from './kubeconfig.js'

/** A failure to start or find a Job, with the message to show as the attempt's error. */
export class LaunchFailure extends Error {
  /** Set when the create's answer never came: the Job of this name may exist all the same. */
  readonly maybeCreated?: { namespace: string; name: string }

  constructor(message: string, options: { maybeCreated?: { namespace: string; name: string } } = {}) {
    super(message)
    this.name = 'LaunchFailure'
    if (options.maybeCreated !== undefined) this.maybeCreated = options.maybeCreated
  }
}

/** The Job bf goes on to watch, and how it got it. */
export interface StartedJob {
  job: V1Job
  how: 'created' | 'adopted' | 'resumed'
}

/**
 * The Job this attempt runs as: the one an interrupted run recorded in `previous`, else a
 * new one made from the CronJob `template` gives (read once per cluster, not per Job), or
 * its twin a lost answer left behind.
 */
export async function startJob(
  clients: KubeClients,
  namespace: string,
  request: ManifestRequest,
  previous: Record<string, JsonValue> | undefined,
  call: ApiCallOptions,
  template: () => Promise<V1CronJob>,
): Promise<StartedJob> {
  const recorded = recordedJob(previous, namespace)
  if (recorded) return findRecordedJob(clients, recorded.namespace, recorded.name, request, call)
  const spec = kubernetesSpec(request)
  const cronJob = await template()
  if (cronJob.spec?.jobTemplate?.spec?.suspend === true) {
    throw new LaunchFailure(`CronJob ${namespace}/${spec.cronJob} has spec.jobTemplate.spec.suspend: true — a Job made from it never starts`)
  }
  return createOrAdoptJob(clients, buildJobManifest(cronJob, request), request, call)
}

/** The Job an earlier, interrupted run of this attempt recorded, if any. */
export function recordedJob(previous: Record<string, JsonValue> | undefined, namespace: string): { namespace: string; name: string } | undefined {
  const name = previous?.jobName
  if (typeof name !== 'string' || !name) return undefined
  return { namespace: typeof previous?.namespace === 'string' ? previous.namespace : namespace, name }
}

/**
 * Creates the Job. Its name is deterministic, so AlreadyExists means an earlier try got
 * as far as the server (a crash before bf recorded it, a lost response): bf adopts that
 * Job when its labels say it is this unit's attempt, and refuses any other.
 */
export async function createOrAdoptJob(clients: KubeClients, manifest: V1Job, request: ManifestRequest, call: ApiCallOptions): Promise<StartedJob> {
  const namespace = manifest.metadata?.namespace ?? 'default'
  const name = manifest.metadata?.name ?? ''
  try {
    const job = await apiCall(`create Job ${name}`, (options) => clients.batch.createNamespacedJob({ namespace, body: manifest }, options), call)
    return { job, how: 'created' }
  } catch (caught) {
    call.signal?.throwIfAborted()
    const code = apiStatus(caught)?.code
    if (code === 403) throw new LaunchFailure(forbiddenMessage('create', 'jobs', namespace))
    // No answer, or a server error: the API server may have stored the Job before failing.
    if (code === undefined || code >= 500) {
      throw new LaunchFailure(
        `cannot create Job ${namespace}/${name}: ${describeApiError(caught)}; the Job may exist all the same: the next apply adopts it, or creates it if it does not`,
        { maybeCreated: { namespace, name } },
      )
    }
    if (code !== 409) throw new LaunchFailure(`cannot create Job ${namespace}/${name}: ${describeApiError(caught)}`)
  }
  const existing = await readJob(clients, namespace, name, call)
  if (!existing) throw new LaunchFailure(`Job ${namespace}/${name} already existed, then disappeared before bf could read it`)
  const why = notOursReason(existing, request)
  if (why) throw new LaunchFailure(`a Job named ${name} exists and is not bf's for this unit: ${why} — delete it or rename the plan`)
  return { job: existing, how: 'adopted' }
}

/**
 * Finds the Job an earlier, interrupted run of this attempt created: by name, else by
 * bf's labels. It is never created again here: its outcome is what counts.
 */
export async function findRecordedJob(clients: KubeClients, namespace: string, name: string, request: ManifestRequest, call: ApiCallOptions): Promise<StartedJob> {
  const byName = await readJob(clients, namespace, name, call)
  if (byName) {
    const why = notOursReason(byName, request)
    if (why) throw new LaunchFailure(`a Job named ${name} exists and is not bf's for this unit: ${why}`)
    return { job: byName, how: 'resumed' }
  }
  const list = await apiCall(
    'list Jobs by label',
    (options) => clients.batch.listNamespacedJob({ namespace, labelSelector: bfSelector(request) }, options),
    call,
  ).catch((caught: unknown) => {
    call.signal?.throwIfAborted()
    throw new LaunchFailure(`cannot list Jobs in ${namespace}: ${describeApiError(caught)}`)
  })
  const ours = list.items.filter((job) => notOursReason(job, request) === undefined)
  const newest = ours.sort((a, b) => created(b) - created(a))[0]
  if (newest) return { job: newest, how: 'resumed' }
  throw new LaunchFailure(
    `Job ${namespace}/${name}, recorded by an earlier run of this attempt, no longer exists (deleted, or pruned by ttlSecondsAfterFinished or the CronJob's history limits): its outcome is unknown`,
  )
}

/** The Job, or undefined when it does not exist. */
async function readJob(clients: KubeClients, namespace: string, name: string, call: ApiCallOptions): Promise<V1Job | undefined> {
  try {
    return await apiCall(`read Job ${name}`, (options) => clients.batch.readNamespacedJob({ name, namespace }, options), call)
  } catch (caught) {
    call.signal?.throwIfAborted()
    if (apiStatus(caught)?.code === 404) return undefined
    if (apiStatus(caught)?.code === 403) throw new LaunchFailure(forbiddenMessage('get', 'jobs', namespace))
    throw new LaunchFailure(`cannot read Job ${namespace}/${name}: ${describeApiError(caught)}`)
  }
}

function created(job: V1Job): number {
  const at = job.metadata?.creationTimestamp
  return at ? new Date(at).getTime() : 0
}
