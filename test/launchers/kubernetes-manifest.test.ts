import type { V1CronJob, V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { buildJobManifest, bfSelector, manifestYaml, notOursReason, overrideEnv } from '../../src/launchers/kubernetes/job-manifest.js'
import { MAX_JOB_NAME_LENGTH, jobName, slug } from '../../src/launchers/kubernetes/job-name.js'
import { apiStatus, describeApiError, isTransientApiError, retryAfterMs } from '../../src/launchers/kubernetes/api-errors.js'
import { podLine, StuckPodTracker } from '../../src/launchers/kubernetes/pod-diagnostics.js'
import { templateFindings } from '../../src/launchers/kubernetes/preflight.js'
import { jobEnd } from '../../src/launchers/kubernetes/job-end.js'
import { ApiException } from '@kubernetes/client-node'
import { UserError } from '../../src/errors.js'
import { BACKFILL_ENV, clusterSpec, jobRequest, kubernetesJobSpec, labelConversationsCronJob } from '../support/kube-fixtures.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function cronJob(overrides: { spec?: Record<string, unknown> } = {}): V1CronJob {
  const fixture = labelConversationsCronJob(overrides)
  return { apiVersion: 'batch/v1', kind: 'CronJob', ...fixture, metadata: { ...fixture.metadata, uid: 'cj-uid-1' } } as V1CronJob
}

const request = jobRequest(clusterSpec('/dev/null'))

describe('buildJobManifest', () => {
  it('builds what kubectl create job --from=cronjob does, plus bf labels and annotations', () => {
    const source = cronJob()
    const before = JSON.stringify(source)
    const job = buildJobManifest(source, request)

    expect(JSON.stringify(source)).toBe(before)
    expect(job.apiVersion).toBe('batch/v1')
    expect(job.kind).toBe('Job')
    expect(job.metadata?.name).toBe(jobName({ ...request, batchLabel: '2026-01-15' }))
    expect(job.metadata?.namespace).toBe('cresta-cron')
    expect(job.metadata?.labels).toEqual({
      app: 'cron-label-conversations',
      'app.kubernetes.io/part-of': 'go-servers',
      'app.kubernetes.io/managed-by': 'bf',
      'bf.dev/plan': 'relabel-2026',
      'bf.dev/unit': expect.stringMatching(/^[0-9a-f]{16}$/),
      'bf.dev/attempt': '1',
    })
    // The template's annotations override kubectl's own, as kubectl does.
    expect(job.metadata?.annotations).toEqual({
      'cronjob.kubernetes.io/instantiate': 'template',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      'bf.dev/address': 'us-east-1-prod/alaska-air/2026-01-15',
      'bf.dev/attempt': '1',
      'bf.dev/lineage': 'lin-4b1d9a',
    })
    expect(job.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cron-label-conversations', uid: 'cj-uid-1', controller: true }])

    // The spec is the template's, verbatim, except the env overrides.
    const withoutEnv = (spec: unknown): unknown =>
      JSON.parse(JSON.stringify(spec), (key, value: unknown) => (key === 'env' ? undefined : value))
    expect(withoutEnv(job.spec)).toEqual(withoutEnv(source.spec?.jobTemplate?.spec))
    expect(job.spec?.ttlSecondsAfterFinished).toBeUndefined()
  })

  it('overrides env on every container and init container, in place, appending new variables', () => {
    const job = buildJobManifest(cronJob(), request)
    const pod = job.spec!.template.spec!
    const cron = pod.containers.find((container) => container.name === 'cron')!
    expect(cron.env?.map((variable) => variable.name)).toEqual([
      'CLICKHOUSE_HOST',
      'ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE',
      'CLICKHOUSE_PASSWORD',
      'LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE',
      'CLICKHOUSE_DSN',
      'LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START',
      'LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END',
      'FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE',
    ])
    expect(cron.env?.[1]).toEqual({ name: 'ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE', value: 'true' })
    expect(cron.env?.[2]).toEqual({ name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: 'clickhouse-credentials', key: 'password' } } })
    expect(cron.envFrom).toEqual([{ configMapRef: { name: 'cron-common' } }])

    const sidecar = pod.containers.find((container) => container.name === 'metrics-exporter')!
    expect(Object.fromEntries(sidecar.env!.map((variable) => [variable.name, variable.value]))).toEqual(BACKFILL_ENV)

    const init = pod.initContainers![0]!
    expect(init.env?.[0]).toEqual({ name: 'FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE', value: 'alaska-air' })
    expect(init.env).toHaveLength(4)
  })

  it('replaces a valueFrom variable by a value, and keeps duplicates in place', () => {
    expect(
      overrideEnv(
        [
          { name: 'A', value: '1' },
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'A', value: '2' },
        ],
        { SECRET: 'x', A: 'y', NEW: 'z' },
      ),
    ).toEqual([
      { name: 'A', value: 'y' },
      { name: 'SECRET', value: 'x' },
      { name: 'A', value: 'y' },
      { name: 'NEW', value: 'z' },
    ])
  })

  it('restricts the overrides to job.kubernetes.container', () => {
    const job = buildJobManifest(cronJob(), { ...request, job: kubernetesJobSpec({ container: 'cron' }) })
    const pod = job.spec!.template.spec!
    expect(pod.containers.find((container) => container.name === 'cron')!.env).toHaveLength(8)
    expect(pod.containers.find((container) => container.name === 'metrics-exporter')!.env).toBeUndefined()
    expect(pod.initContainers![0]!.env).toEqual([{ name: 'FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE', value: '' }])
  })

  it('rejects a container name the template does not have, naming the ones it has', () => {
    expect(() => buildJobManifest(cronJob(), { ...request, job: kubernetesJobSpec({ container: 'worker' }) })).toThrow(
      new UserError('CronJob cresta-cron/cron-label-conversations has no container "worker" (containers: wait-for-clickhouse, cron, metrics-exporter)'),
    )
  })

  it('drops the owner reference when asked and sets ttlSecondsAfterFinished from the plan', () => {
    const job = buildJobManifest(cronJob(), { ...request, job: kubernetesJobSpec({ ownerReference: false, ttlSecondsAfterFinished: 86_400 }) })
    expect(job.metadata?.ownerReferences).toBeUndefined()
    expect(job.spec?.ttlSecondsAfterFinished).toBe(86_400)
  })

  it('renders as YAML that reads back to the same manifest', () => {
    const job = buildJobManifest(cronJob(), request)
    const text = manifestYaml(job)
    expect(text).toMatch(/^apiVersion: batch\/v1\nkind: Job\n/)
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(job)))
  })

  it('tells its own Jobs from others', () => {
    const job = buildJobManifest(cronJob(), request)
    expect(notOursReason(job, request)).toBeUndefined()
    expect(notOursReason(job, { ...request, attempt: 2 })).toBe('label bf.dev/attempt is "1", expected "2"')
    expect(notOursReason(job, { ...request, lineage: 'other' })).toMatch(/another state/)
    expect(notOursReason({ metadata: { name: 'x', labels: { app: 'x' } } }, request)).toMatch(/label app.kubernetes.io\/managed-by is missing/)
    expect(bfSelector(request)).toMatch(/^app.kubernetes.io\/managed-by=bf,bf.dev\/plan=relabel-2026,bf.dev\/unit=[0-9a-f]{16},bf.dev\/attempt=1$/)
  })
})

describe('jobName', () => {
  const base = { planName: 'relabel-2026', lineage: 'lin', customer: 'alaska-air', batchLabel: '2026-01-15', attempt: 1, unitAddress: 'us-east-1-prod/alaska-air/2026-01-15' }

  it('is readable, deterministic and a DNS label', () => {
    const name = jobName(base)
    expect(name).toMatch(/^bf-relabel-2026-alaska-air-20260115-a1-[0-9a-f]{6}$/)
    expect(jobName(base)).toBe(name)
  })

  it('differs per attempt and per hourly batch', () => {
    expect(jobName({ ...base, attempt: 2 })).toMatch(/-20260115-a2-[0-9a-f]{6}$/)
    expect(jobName({ ...base, attempt: 2 })).not.toBe(jobName(base))
    expect(jobName({ ...base, batchLabel: '2026-01-15T06' })).toMatch(/-20260115t06-a1-/)
  })

  it('keeps ids that slug alike apart', () => {
    const a = jobName({ ...base, customer: 'Alaska Air', unitAddress: 'c/Alaska Air/2026-01-15' })
    const b = jobName({ ...base, customer: 'alaska_air', unitAddress: 'c/alaska_air/2026-01-15' })
    expect(a.replace(/-[0-9a-f]{6}$/, '')).toBe(b.replace(/-[0-9a-f]{6}$/, ''))
    expect(a).not.toBe(b)
  })

  it('copes with unicode, quotes, spaces and very long ids within 63 characters', () => {
    const ids = ['東京', "O'Brien & Sons \"Ltd\"", 'Café Zürich', '  ', 'x'.repeat(300), `${'ab-'.repeat(40)}z`]
    const names = ids.map((customer) => jobName({ ...base, planName: 'p'.repeat(40), customer, unitAddress: `c/${customer}/2026-01-15`, attempt: 12 }))
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(MAX_JOB_NAME_LENGTH)
      expect(name).toMatch(DNS_LABEL)
    }
    expect(new Set(names).size).toBe(ids.length)
    expect(jobName({ ...base, customer: 'Café Zürich' })).toMatch(/^bf-relabel-2026-cafe-zurich-20260115-a1-/)
    expect(jobName({ ...base, customer: '東京' })).toMatch(/^bf-relabel-2026-20260115-a1-[0-9a-f]{6}$/)
    expect(slug('--Hello__World--')).toBe('hello-world')
  })
})

describe('templateFindings', () => {
  it('accepts the fixture', () => {
    expect(templateFindings(cronJob(), kubernetesJobSpec())).toEqual([])
  })

  it('makes a suspended jobTemplate an error', () => {
    const source = cronJob()
    source.spec!.jobTemplate.spec!.suspend = true
    expect(templateFindings(source, kubernetesJobSpec())).toEqual([expect.objectContaining({ severity: 'error', code: 'job-suspended' })])
  })

  it('warns when history limits or a short TTL may delete Jobs before bf reads them', () => {
    const findings = templateFindings(cronJob({ spec: { failedJobsHistoryLimit: 1, successfulJobsHistoryLimit: 0 } }), kubernetesJobSpec({}, { concurrency: 4 }))
    expect(findings.map((finding) => [finding.severity, finding.code])).toEqual([
      ['warning', 'job-history-prune'],
      ['warning', 'job-history-prune'],
    ])
    expect(findings[0]!.message).toMatch(/successfulJobsHistoryLimit/)
    expect(templateFindings(cronJob({ spec: { failedJobsHistoryLimit: 1 } }), kubernetesJobSpec({ ownerReference: false }, { concurrency: 4 }))).toEqual([])
    expect(templateFindings(cronJob(), kubernetesJobSpec({ ttlSecondsAfterFinished: 30 }))).toEqual([expect.objectContaining({ code: 'job-history-prune' })])
  })

  it('names a missing container', () => {
    expect(templateFindings(cronJob(), kubernetesJobSpec({ container: 'nope' }))).toEqual([expect.objectContaining({ severity: 'error', code: 'container-not-found' })])
  })
})

describe('API errors', () => {
  const status = (code: number, reason: string, message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message })

  it('shows the Status reason and message, not the raw exception text', () => {
    const error = new ApiException(409, 'Unknown API Status Code!', status(409, 'AlreadyExists', 'jobs.batch "x" already exists'), {})
    expect(describeApiError(error)).toBe('AlreadyExists: jobs.batch "x" already exists')
    expect(apiStatus(error)).toEqual({ code: 409, reason: 'AlreadyExists', message: 'jobs.batch "x" already exists' })
  })

  it('knows transient errors and Retry-After', () => {
    expect(isTransientApiError(new ApiException(503, '', status(503, 'ServiceUnavailable', 'x'), {}))).toBe(true)
    expect(isTransientApiError(new ApiException(403, '', status(403, 'Forbidden', 'x'), {}))).toBe(false)
    expect(isTransientApiError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true)
    expect(retryAfterMs(new ApiException(429, '', status(429, 'TooManyRequests', 'x'), { 'retry-after': '2' }))).toBe(2000)
  })
})

describe('Job conditions and pod problems', () => {
  it('decides only from conditions with status True', () => {
    expect(jobEnd({ status: { succeeded: 1, conditions: [] } })).toBeUndefined()
    expect(jobEnd({ status: { conditions: [{ type: 'Complete', status: 'False' }] } })).toBeUndefined()
    expect(jobEnd({ status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] } })).toMatchObject({ succeeded: true, condition: 'SuccessCriteriaMet' })
    expect(jobEnd({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } })).toMatchObject({ succeeded: false, reason: 'DeadlineExceeded' })
  })

  it('reports a pod problem only once it outlasts the grace period', () => {
    let now = 0
    const tracker = new StuckPodTracker(1000, () => now)
    const pod = (reason: string): V1Pod => ({
      metadata: { name: 'p' },
      status: { containerStatuses: [{ name: 'cron', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: 'Back-off pulling image "i"' } } }] },
    })
    expect(tracker.observe([pod('ErrImagePull')])).toBeUndefined()
    now = 600
    expect(tracker.observe([pod('ImagePullBackOff')])).toBeUndefined()
    now = 1000
    expect(tracker.observe([pod('ImagePullBackOff')])).toEqual({ pod: 'p', reason: 'ImagePullBackOff', message: 'container cron: Back-off pulling image "i"' })
    now = 1100
    expect(tracker.observe([pod('ContainerCreating')])).toBeUndefined()
    now = 1200
    expect(tracker.observe([pod('ImagePullBackOff')])).toBeUndefined()
  })

  it('names a pod in progress by its phase and, while a container waits, why', () => {
    const waiting = (reason: string) => ({ name: 'cron', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason } } })
    expect(podLine({ metadata: { name: 'p' }, status: { phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] } })).toBe('p (Pending: ImagePullBackOff)')
    expect(podLine({ metadata: { name: 'p' }, status: { phase: 'Pending', initContainerStatuses: [waiting('PodInitializing')] } })).toBe('p (Pending: PodInitializing)')
    expect(podLine({ metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses: [{ ...waiting(''), state: { running: {} } }] } })).toBe('p (Running)')
    expect(podLine({ metadata: { name: 'p' } })).toBe('p (Unknown)')
  })
})
