import type { V1Container, V1CronJob, V1EnvVar, V1Job, V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import type { KubernetesJobSpec } from '../../plan/model.js'
import type { JobRequest } from '../launcher.js'
import { UserError } from '../../errors.js'
import { jobName, unitLabel } from './job-name.js'

/** Labels bf puts on every Job it creates; together they say which unit and attempt it runs. */
export const BF_LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  plan: 'bf.dev/plan',
  unit: 'bf.dev/unit',
  attempt: 'bf.dev/attempt',
} as const

export const BF_ANNOTATION = {
  address: 'bf.dev/address',
  attempt: 'bf.dev/attempt',
  lineage: 'bf.dev/lineage',
} as const

/** The parts of a request a manifest depends on. */
export type ManifestRequest = Pick<JobRequest, 'planName' | 'lineage' | 'unitAddress' | 'customer' | 'batch' | 'attempt' | 'job' | 'env'>

/** The plan's `job.kubernetes`, or a UserError when the plan has none. */
export function kubernetesSpec(request: Pick<JobRequest, 'job'>): KubernetesJobSpec {
  const spec = request.job.kubernetes
  if (!spec) throw new UserError('job.kubernetes is required when job.kind is kubernetes')
  return spec
}

export function jobNameFor(request: ManifestRequest): string {
  return jobName({ ...request, batchLabel: request.batch.label })
}

/**
 * The Job `kubectl create job NAME --from=cronjob/CJ` would build, then `kubectl set env`
 * with the request's env, plus bf's labels and annotations. Pure: the CronJob is not changed.
 */
export function buildJobManifest(cronJob: V1CronJob, request: ManifestRequest): V1Job {
  const spec = kubernetesSpec(request)
  const template = cronJob.spec?.jobTemplate
  if (!template?.spec?.template?.spec?.containers?.length) {
    throw new UserError(`CronJob ${cronJobRef(cronJob)} has no jobTemplate with a container`)
  }
  const jobSpec = deepCopy(template.spec)
  if (spec.ttlSecondsAfterFinished !== undefined) jobSpec.ttlSecondsAfterFinished = spec.ttlSecondsAfterFinished
  const podSpec = jobSpec.template.spec!
  const targets = targetContainers([...(podSpec.initContainers ?? []), ...podSpec.containers], spec.container, cronJob)
  for (const container of targets) container.env = overrideEnv(container.env, request.env)

  const metadata: V1ObjectMeta = {
    name: jobNameFor(request),
    ...(cronJob.metadata?.namespace ? { namespace: cronJob.metadata.namespace } : {}),
    labels: { ...template.metadata?.labels, ...bfLabels(request) },
    annotations: {
      'cronjob.kubernetes.io/instantiate': 'manual',
      ...template.metadata?.annotations,
      [BF_ANNOTATION.address]: request.unitAddress,
      [BF_ANNOTATION.attempt]: String(request.attempt),
      [BF_ANNOTATION.lineage]: request.lineage,
    },
  }
  const owner = ownerReference(cronJob)
  if (spec.ownerReference && owner) metadata.ownerReferences = [owner]
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: jobSpec }
}

export function bfLabels(request: Pick<JobRequest, 'planName' | 'unitAddress' | 'attempt'>): Record<string, string> {
  return {
    [BF_LABEL.managedBy]: 'bf',
    [BF_LABEL.plan]: request.planName,
    [BF_LABEL.unit]: unitLabel(request.unitAddress),
    [BF_LABEL.attempt]: String(request.attempt),
  }
}

/** Label selector of the Jobs of one unit's attempt. */
export function bfSelector(request: Pick<JobRequest, 'planName' | 'unitAddress' | 'attempt'>): string {
  return Object.entries(bfLabels(request))
    .map(([key, value]) => `${key}=${value}`)
    .join(',')
}

/**
 * Why `job` is not this request's (a Job bf may adopt), or undefined when it is: labels for
 * plan, unit and attempt, and the annotations for the full address and the state's lineage.
 */
export function notOursReason(job: V1Job, request: Pick<JobRequest, 'planName' | 'unitAddress' | 'attempt' | 'lineage'>): string | undefined {
  const labels = job.metadata?.labels ?? {}
  const annotations = job.metadata?.annotations ?? {}
  for (const [key, value] of Object.entries(bfLabels(request))) {
    if (labels[key] !== value) return `label ${key} is ${labels[key] === undefined ? 'missing' : `"${labels[key]}"`}, expected "${value}"`
  }
  if (annotations[BF_ANNOTATION.address] !== request.unitAddress) return `annotation ${BF_ANNOTATION.address} is not "${request.unitAddress}"`
  if (annotations[BF_ANNOTATION.lineage] !== request.lineage) {
    return `it belongs to another state (lineage ${annotations[BF_ANNOTATION.lineage] ?? 'unknown'}, this state's is ${request.lineage})`
  }
  return undefined
}

/** The manifest as `kubectl … --dry-run=client -o yaml` would print it. */
export function manifestYaml(job: V1Job): string {
  return stringify(deepCopy(job))
}

export function cronJobRef(cronJob: V1CronJob): string {
  return `${cronJob.metadata?.namespace ?? '?'}/${cronJob.metadata?.name ?? '?'}`
}

/**
 * `kubectl set env`: a variable of the same name is replaced where it stands (a `valueFrom`
 * too), keeping the order the template's `$(VAR)` references rely on; new ones are appended.
 */
export function overrideEnv(current: V1EnvVar[] | undefined, env: Record<string, string>): V1EnvVar[] {
  const result = (current ?? []).map((variable) => (Object.hasOwn(env, variable.name) ? { name: variable.name, value: env[variable.name] } : variable))
  const present = new Set(result.map((variable) => variable.name))
  for (const [name, value] of Object.entries(env)) if (!present.has(name)) result.push({ name, value })
  return result
}

function targetContainers(containers: V1Container[], name: string | undefined, cronJob: V1CronJob): V1Container[] {
  if (name === undefined) return containers
  const named = containers.filter((container) => container.name === name)
  if (named.length === 0) {
    const names = containers.map((container) => container.name).join(', ')
    throw new UserError(`CronJob ${cronJobRef(cronJob)} has no container "${name}" (containers: ${names})`)
  }
  return named
}

function ownerReference(cronJob: V1CronJob): V1OwnerReference | undefined {
  const { name, uid } = cronJob.metadata ?? {}
  if (!name || !uid) return undefined
  return { apiVersion: 'batch/v1', kind: 'CronJob', name, uid, controller: true }
}

/** A plain-JSON copy (as sent on the wire): no shared objects, no class instances. */
function deepCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
