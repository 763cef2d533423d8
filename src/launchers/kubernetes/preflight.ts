import type { V1CronJob, V1Job } from '@kubernetes/client-node'
import { errorMessage } from '../../common/error-text.js'
import type { ClusterSpec, JobSpec } from '../../plan/model.js'
import type { PreflightFinding } from '../launcher.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus, describeApiError, forbiddenMessage } from './api-errors.js'
import { CronJobUnreadable, readCronJob } from './cronjob.js'
import { cronJobRef } from './job-manifest.js'
import type { KubeClients } from './kubeconfig.js'
import { effectiveNamespace } from './kubeconfig.js'

/** A TTL shorter than this may delete a Job before bf reads its outcome and logs. */
export const SHORT_TTL_SECONDS = 300

/** Every permission bf uses besides `get cronjobs`, as `[verb, group, resource, subresource]`. */
const NEEDED_ACCESS: Array<[string, string, string, string?]> = [
  ['create', 'batch', 'jobs'],
  ['get', 'batch', 'jobs'],
  ['list', 'batch', 'jobs'],
  ['watch', 'batch', 'jobs'],
  ['delete', 'batch', 'jobs'],
  ['list', '', 'pods'],
  ['get', '', 'pods', 'log'],
]

/**
 * Checks a cluster can run the plan's Jobs: the context, the CronJob and its template,
 * settings that would keep a Job from starting or delete it before bf reads it, and RBAC.
 */
export async function preflightKubernetes(
  cluster: ClusterSpec,
  job: JobSpec,
  connect: (cluster: ClusterSpec) => KubeClients,
  call: ApiCallOptions,
): Promise<PreflightFinding[]> {
  const spec = job.kubernetes
  if (!spec) return [error('job-kubernetes', 'job.kubernetes is required when job.kind is kubernetes')]
  if (!cluster.kubernetes) return [error('kube-context', `cluster ${cluster.name} has no kubernetes.context`)]
  let clients: KubeClients
  try {
    clients = connect(cluster)
  } catch (caught) {
    return [error('kube-context', errorMessage(caught))]
  }
  const namespace = effectiveNamespace(spec.namespace, clients)
  let cronJob: V1CronJob
  try {
    cronJob = await readCronJob(clients, namespace, spec.cronJob, call)
  } catch (caught) {
    if (caught instanceof CronJobUnreadable) return [error(caught.code, caught.message)]
    throw caught
  }
  return [...templateFindings(cronJob, job), ...(await accessFindings(clients, namespace, call))]
}

/** Findings about a CronJob's template for this plan's `job`. Pure. */
export function templateFindings(cronJob: V1CronJob, job: JobSpec): PreflightFinding[] {
  const spec = job.kubernetes
  const ref = cronJobRef(cronJob)
  const jobSpec = cronJob.spec?.jobTemplate?.spec
  const podSpec = jobSpec?.template?.spec
  if (!spec || !jobSpec || !podSpec?.containers?.length) return [error('cronjob-template', `CronJob ${ref} has no jobTemplate with a container`)]
  const findings: PreflightFinding[] = []
  const names = [...(podSpec.initContainers ?? []), ...podSpec.containers].map((container) => container.name)
  if (spec.container !== undefined && !names.includes(spec.container)) {
    findings.push(error('container-not-found', `CronJob ${ref} has no container "${spec.container}" (containers: ${names.join(', ')})`))
  }
  if (jobSpec.suspend === true) {
    findings.push(error('job-suspended', `CronJob ${ref} has spec.jobTemplate.spec.suspend: true — a Job made from it never starts`))
  }
  if (spec.ownerReference) {
    const limits: Array<[string, number]> = [
      ['successfulJobsHistoryLimit', cronJob.spec?.successfulJobsHistoryLimit ?? 3],
      ['failedJobsHistoryLimit', cronJob.spec?.failedJobsHistoryLimit ?? 1],
    ]
    for (const [key, limit] of limits) {
      if (limit === 0 || limit < job.concurrency) {
        findings.push(
          warning(
            'job-history-prune',
            `CronJob ${ref} keeps ${limit} finished Job(s) (${key}) while bf runs up to ${job.concurrency} at once: its controller may delete bf's Jobs before bf reads their outcome and logs — raise ${key} or set job.kubernetes.ownerReference: false`,
          ),
        )
      }
    }
  }
  const ttl = spec.ttlSecondsAfterFinished ?? jobSpec.ttlSecondsAfterFinished
  if (ttl !== undefined && ttl < SHORT_TTL_SECONDS) {
    findings.push(
      warning(
        'job-history-prune',
        `Jobs are deleted ${ttl}s after they finish (ttlSecondsAfterFinished): bf may not read their outcome and logs, or find them again after an interruption — use at least ${SHORT_TTL_SECONDS}`,
      ),
    )
  }
  return findings
}

/** Server-side dry run of a create: what the API server (admission, validation, RBAC) would reject. */
export async function serverDryRunFindings(clients: KubeClients, manifest: V1Job, call: ApiCallOptions): Promise<PreflightFinding[]> {
  const namespace = manifest.metadata?.namespace ?? 'default'
  const name = manifest.metadata?.name ?? '?'
  try {
    await apiCall(`dry-run create Job ${name}`, (options) => clients.batch.createNamespacedJob({ namespace, body: manifest, dryRun: 'All' }, options), call)
    return []
  } catch (caught) {
    call.signal?.throwIfAborted()
    const status = apiStatus(caught)
    if (status?.code === 409) return [warning('job-exists', `Job ${namespace}/${name} already exists: bf adopts it if it is this unit's attempt`)]
    if (status?.code === 403) return [error('forbidden', forbiddenMessage('create', 'jobs', namespace))]
    return [error('server-dry-run', `the API server rejects Job ${namespace}/${name}: ${describeApiError(caught)}`)]
  }
}

async function accessFindings(clients: KubeClients, namespace: string, call: ApiCallOptions): Promise<PreflightFinding[]> {
  const results = await Promise.all(
    NEEDED_ACCESS.map(async ([verb, group, resource, subresource]) => {
      try {
        const review = await apiCall(
          'check access',
          (options) =>
            clients.authorization.createSelfSubjectAccessReview(
              {
                body: {
                  apiVersion: 'authorization.k8s.io/v1',
                  kind: 'SelfSubjectAccessReview',
                  spec: { resourceAttributes: { namespace, verb, group, resource, ...(subresource ? { subresource } : {}) } },
                },
              },
              options,
            ),
          call,
        )
        if (review.status?.allowed) return undefined
        return error('forbidden', forbiddenMessage(verb, subresource ? `${resource}/${subresource}` : resource, namespace))
      } catch {
        call.signal?.throwIfAborted()
        // Access reviews are an extra check; a server that refuses them is not a finding.
        return undefined
      }
    }),
  )
  return results.filter((finding): finding is PreflightFinding => finding !== undefined)
}

function error(code: string, message: string): PreflightFinding {
  return { severity: 'error', code, message }
}

function warning(code: string, message: string): PreflightFinding {
  return { severity: 'warning', code, message }
}
