import type { V1CronJob } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { buildJobManifest, createKubernetesLauncher } from '../../src/launchers/kubernetes.js'
import type { KubernetesLauncher } from '../../src/launchers/kubernetes.js'
import type { ClusterSpec } from '../../src/plan/model.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import { CRON_NAMESPACE, clusterSpec, jobRequest, kubernetesJobSpec, labelConversationsCronJob, recordingContext } from '../support/kube-fixtures.js'

const FAST = { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } }

interface EditableJobSpec {
  suspend?: boolean
  template: { spec: { restartPolicy: string } }
}

/** The fixture CronJob under another name, its jobTemplate's spec changed. */
function cronJobVariant(name: string, change: (spec: EditableJobSpec) => void): ReturnType<typeof labelConversationsCronJob> {
  const cronJob = labelConversationsCronJob()
  cronJob.metadata.name = name
  change(cronJob.spec.jobTemplate.spec as unknown as EditableJobSpec)
  return cronJob
}

let server: KubeApiServer
let cluster: ClusterSpec
let cronJob: V1CronJob
let launcher: KubernetesLauncher

beforeEach(async () => {
  server = await startKubeApiServer()
  cronJob = server.addCronJob(labelConversationsCronJob()) as unknown as V1CronJob
  cluster = clusterSpec(await server.writeKubeconfig({ contexts: ['test', 'staging'] }))
  launcher = createKubernetesLauncher(FAST)
})

afterEach(async () => {
  await launcher.close()
  await server.close()
})

describe('preflight', () => {
  it('finds nothing wrong with a readable CronJob and full access', async () => {
    expect(await launcher.preflight(cluster, kubernetesJobSpec())).toEqual([])
    const reviews = server.requestsMatching((r) => r.resource === 'selfsubjectaccessreviews')
    expect(reviews.map((r) => (r.body as { spec: { resourceAttributes: { verb: string; resource: string } } }).spec.resourceAttributes)).toContainEqual(
      expect.objectContaining({ namespace: CRON_NAMESPACE, verb: 'create', group: 'batch', resource: 'jobs' }),
    )
  })

  it('names the verb and resource when RBAC refuses to read the CronJob', async () => {
    server.forbid('get', 'cronjobs')
    expect(await launcher.preflight(cluster, kubernetesJobSpec())).toEqual([
      { severity: 'error', code: 'forbidden', message: 'forbidden: cannot get cronjobs in namespace cresta-cron — grant get on cronjobs' },
    ])
  })

  it('names every other permission bf lacks', async () => {
    server.forbid('create', 'jobs')
    server.forbid('get', 'pods/log')
    expect(await launcher.preflight(cluster, kubernetesJobSpec())).toEqual([
      { severity: 'error', code: 'forbidden', message: 'forbidden: cannot create jobs in namespace cresta-cron — grant create on jobs' },
      { severity: 'error', code: 'forbidden', message: 'forbidden: cannot get pods/log in namespace cresta-cron — grant get on pods/log' },
    ])
  })

  it('reports a missing CronJob with its namespace and context', async () => {
    expect(await launcher.preflight(cluster, kubernetesJobSpec({ cronJob: 'cron-label-conversation' }))).toEqual([
      { severity: 'error', code: 'cronjob-not-found', message: 'CronJob cresta-cron/cron-label-conversation not found in context test' },
    ])
  })

  it('reports an unknown context with the contexts there are', async () => {
    const findings = await launcher.preflight({ ...cluster, kubernetes: { ...cluster.kubernetes!, context: 'us-east-1-prod_dev' } }, kubernetesJobSpec())
    expect(findings).toEqual([{ severity: 'error', code: 'kube-context', message: 'kubeconfig has no context "us-east-1-prod_dev" (contexts: test, staging)' }])
  })

  it('says so when there is no kubeconfig at all', async () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG }
    process.env.HOME = '/nonexistent-home'
    delete process.env.KUBECONFIG
    try {
      const findings = await launcher.preflight({ ...cluster, kubernetes: { context: 'test' } }, kubernetesJobSpec())
      expect(findings).toEqual([expect.objectContaining({ code: 'kube-context', message: expect.stringMatching(/^no kubeconfig found/) })])
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    }
  })

  it('makes a suspended jobTemplate an error', async () => {
    server.addCronJob(cronJobVariant('suspended', (spec) => (spec.suspend = true)))
    const findings = await launcher.preflight(cluster, kubernetesJobSpec({ cronJob: 'suspended' }))
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', code: 'job-suspended' })])
  })
})

describe('describe and server dry run', () => {
  const request = () => {
    const { signal: _signal, logDir: _logDir, ...rest } = jobRequest(cluster)
    return rest
  }

  it('renders the exact manifest as YAML, reading the CronJob once per launcher', async () => {
    const first = await launcher.describe(request())
    const second = await launcher.describe({ ...request(), attempt: 2 })
    expect(parse(first)).toEqual(JSON.parse(JSON.stringify(buildJobManifest(cronJob, request()))))
    expect(second).toContain('bf.dev/attempt: "2"')
    expect(server.requestsMatching((r) => r.resource === 'cronjobs')).toHaveLength(1)
    expect(server.requestsMatching((r) => r.method !== 'GET')).toEqual([])
  })

  it('asks the server to dry-run the create without making a Job', async () => {
    expect(await launcher.serverDryRun(request())).toEqual([])
    expect(server.requestsMatching((r) => r.method === 'POST')).toEqual([expect.objectContaining({ resource: 'jobs', query: { dryRun: 'All' } })])
    expect(server.jobs()).toEqual([])
  })

  it('returns what the server rejects, with its reason and message', async () => {
    server.addCronJob(cronJobVariant('broken', (spec) => (spec.template.spec.restartPolicy = 'Always')))
    const findings = await launcher.serverDryRun({ ...request(), job: kubernetesJobSpec({ cronJob: 'broken' }) })
    expect(findings).toEqual([
      {
        severity: 'error',
        code: 'server-dry-run',
        message: expect.stringMatching(/^the API server rejects Job cresta-cron\/bf-relabel-2026-alaska-air-20260115-a1-\w{6}: Invalid: Job.batch ".*" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always"/),
      },
    ])
  })
})

describe('run without a usable CronJob or context', () => {
  it('fails the attempt with the preflight message', async () => {
    const outcome = await launcher.run({ ...jobRequest(cluster), job: kubernetesJobSpec({ cronJob: 'missing' }) }, recordingContext())
    expect(outcome).toEqual({ ok: false, outputs: {}, error: 'CronJob cresta-cron/missing not found in context test' })
    const noContext = await launcher.run(jobRequest({ ...cluster, kubernetes: { ...cluster.kubernetes!, context: 'prod' } }), recordingContext())
    expect(noContext.error).toBe('kubeconfig has no context "prod" (contexts: test, staging)')
  })

  it('refuses to create a Job from a suspended template', async () => {
    server.addCronJob(cronJobVariant('suspended', (spec) => (spec.suspend = true)))
    const outcome = await launcher.run({ ...jobRequest(cluster), job: kubernetesJobSpec({ cronJob: 'suspended' }) }, recordingContext())
    expect(outcome.error).toMatch(/suspend: true — a Job made from it never starts$/)
    expect(server.jobs()).toEqual([])
  })
})
