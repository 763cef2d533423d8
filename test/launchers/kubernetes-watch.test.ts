import { setMaxListeners } from 'node:events'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { KubernetesLauncherOptions } from '../../src/launchers/kubernetes.js'
import { createKubernetesLauncher } from '../../src/launchers/kubernetes.js'
import type { JobOutcome, JobRequest } from '../../src/launchers/launcher.js'
import type { ClusterSpec } from '../../src/plan/model.js'
import type { JsonValue } from '../../src/state/model.js'
import { ROOT, ensureBuilt } from '../support/cli.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import { CRON_NAMESPACE, clusterSpec, jobRequest, labelConversationsCronJob, recordingContext } from '../support/kube-fixtures.js'
import { unitRequest } from '../support/kube-units.mjs'

/** Short retries and watches; pods are checked after 1 s, longer than a quick Job runs. */
const OPTIONS: KubernetesLauncherOptions = {
  podCheckIntervalMs: 1_000,
  podStuckGraceMs: 5_000,
  retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 50 },
  requestTimeoutMs: 2_000,
  watchTimeoutSeconds: 5,
  watchIdleMs: 100,
}

const servers: KubeApiServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function kubeCluster(name: string, limits: { qps?: number; burst?: number } = { qps: 10_000, burst: 1_000 }): Promise<{ server: KubeApiServer; cluster: ClusterSpec }> {
  const server = await startKubeApiServer()
  servers.push(server)
  server.addCronJob(labelConversationsCronJob())
  const base = clusterSpec(await server.writeKubeconfig())
  return { server, cluster: { ...base, name, kubernetes: { ...base.kubernetes!, ...limits } } }
}

/** Unit `index` of a cluster: one customer a day, like a plan's units. */
function unit(cluster: ClusterSpec, index: number, overrides: Partial<JobRequest> = {}): JobRequest {
  const customer = `customer-${index % 5}`
  const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(index / 5) * 86_400_000)
  const label = day.toISOString().slice(0, 10)
  return jobRequest(cluster, { customer, batch: { start: day.getTime(), end: day.getTime() + 86_400_000, label }, ...overrides })
}

/** Runs `tasks` with at most `concurrency` at once, in order, like the executor. */
async function pool<T>(tasks: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]!()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}

describe('one watch per cluster', () => {
  it('runs 300 Jobs on 2 clusters with at most 2 API requests per Job', async () => {
    const clusters = [await kubeCluster('us-east-1-prod'), await kubeCluster('eu-west-1-prod')]
    const launcher = createKubernetesLauncher(OPTIONS)
    const tasks = clusters.flatMap(({ cluster }) => Array.from({ length: 150 }, (_, index) => () => launcher.run(unit(cluster, index), recordingContext())))
    const outcomes = await pool(tasks, 10)
    await launcher.close()

    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([])
    for (const { server } of clusters) {
      expect(server.jobs(CRON_NAMESPACE)).toHaveLength(150)
      const counts = server.requestCounts()
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0)
      expect(total / 150, JSON.stringify(counts)).toBeLessThanOrEqual(2)
      expect(counts['create jobs']).toBe(150)
      // The CronJob once, the plan's Jobs listed once, one watch stream at a time, no pod lookups.
      expect(counts['get cronjobs']).toBe(1)
      expect(counts['list jobs']).toBe(1)
      expect(server.maxOpenWatches).toBe(1)
      expect(counts['list pods']).toBeUndefined()
    }
  })

  it('after a restart finds every running Job again through one watch, and sees each end', async () => {
    const { server, cluster } = await kubeCluster('us-east-1-prod')
    server.setJobScript(() => ({ outcome: 'hang' }))
    const requests = Array.from({ length: 20 }, (_, index) => unit(cluster, index))

    // The first bf records its Jobs, then stops at once (as after a kill): the Jobs run on.
    const killed = new AbortController()
    // One stop signal for 20 runs, as bf's own stop is: each run listens to it until it ends.
    setMaxListeners(0, killed.signal)
    const first = createKubernetesLauncher(OPTIONS)
    const contexts = requests.map(() => recordingContext())
    const runs = requests.map((request, index) => first.run({ ...request, signal: killed.signal }, contexts[index]!).catch((error: unknown) => error))
    await server.waitFor(() => contexts.every((context) => context.records.length > 0))
    killed.abort(new Error('killed'))
    expect((await Promise.all(runs)).every((result) => result instanceof Error && result.message === 'killed')).toBe(true)
    await first.close()
    await server.waitFor(() => server.openWatches === 0)

    // The next bf resumes from what was recorded.
    server.requests.length = 0
    server.maxOpenWatches = 0
    const second = createKubernetesLauncher(OPTIONS)
    const resumed: Array<Promise<JobOutcome>> = requests.map((request, index) => second.run(request, recordingContext(), contexts[index]!.records[0] as Record<string, JsonValue>))
    await server.waitFor(() => server.requestCounts()['get jobs'] === 20 && server.openWatches === 1)
    for (const job of server.jobs(CRON_NAMESPACE)) server.finishJob(CRON_NAMESPACE, job.metadata.name, job.metadata.name.includes('customer-3') ? 'fail' : 'complete')
    const outcomes = await Promise.all(resumed)
    await second.close()

    expect(outcomes.map((outcome, index) => outcome.outputs.jobUid === contexts[index]!.records[0]!.jobUid)).toEqual(requests.map(() => true))
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(16)
    expect(outcomes.filter((outcome) => !outcome.ok).every((outcome) => /failed \(BackoffLimitExceeded/.test(outcome.error ?? ''))).toBe(true)
    const counts = server.requestCounts()
    expect(counts['create jobs']).toBeUndefined()
    expect(counts['list jobs']).toBe(1)
    expect(server.maxOpenWatches).toBe(1)
  })

  it('tells a Job deleted while the watch was down and its history compacted from the list that follows the 410', async () => {
    const { server, cluster } = await kubeCluster('us-east-1-prod')
    server.setJobScript(() => ({ outcome: 'hang' }))
    const launcher = createKubernetesLauncher(OPTIONS)
    const context = recordingContext()
    const running = launcher.run(unit(cluster, 0), context)
    await server.waitFor(() => server.openWatches > 0 && context.records.length > 0)
    // Another unit keeps the watch busy: its Job goes on.
    const other = launcher.run(unit(cluster, 1), recordingContext())
    await server.waitFor(() => server.jobs(CRON_NAMESPACE).length === 2)

    const name = String(context.records[0]!.jobName)
    server.dropWatches('destroy')
    server.deleteJob(CRON_NAMESPACE, name)
    server.compact()
    const outcome = await running
    expect(outcome.error).toBe(`Job ${CRON_NAMESPACE}/${name} was deleted while bf waited for it`)
    expect(server.requestCounts()['list jobs']).toBe(2)

    const otherJob = server.jobs(CRON_NAMESPACE)[0]!
    server.finishJob(CRON_NAMESPACE, otherJob.metadata.name, 'complete')
    expect((await other).ok).toBe(true)
    await launcher.close()
  })

  it('looks at the pods of a Job slow to start, not of one that runs', async () => {
    const { server, cluster } = await kubeCluster('us-east-1-prod')
    server.setJobScript((job) => (job.metadata.annotations?.['bf.dev/address']?.includes('customer-1') ? { outcome: 'image-pull-backoff' } : { outcome: 'hang' }))
    const launcher = createKubernetesLauncher({ ...OPTIONS, podCheckIntervalMs: 20, podStuckGraceMs: 100 })
    const runningContext = recordingContext()
    const running = launcher.run(unit(cluster, 0), runningContext)
    const stuck = await launcher.run(unit(cluster, 1), recordingContext())
    expect(stuck.error).toMatch(/stuck in ImagePullBackOff/)
    const runningUid = String(runningContext.records[0]!.jobUid)
    const podLists = server.requestsMatching((request) => request.verb === 'list' && request.resource === 'pods')
    expect(podLists.length).toBeGreaterThan(0)
    expect(podLists.filter((request) => request.query.labelSelector?.includes(runningUid))).toEqual([])
    server.finishJob(CRON_NAMESPACE, String(runningContext.records[0]!.jobName), 'complete')
    expect((await running).ok).toBe(true)
    await launcher.close()
  })
})

describe('rate limit per cluster', () => {
  it("spaces a cluster's requests by its kubernetes.qps once its burst is spent", async () => {
    const { server, cluster } = await kubeCluster('us-east-1-prod', { qps: 10, burst: 2 })
    const launcher = createKubernetesLauncher(OPTIONS)
    await Promise.all(Array.from({ length: 6 }, (_, index) => launcher.serverDryRun(unit(cluster, index))))
    await launcher.close()
    const sent = server.requests.map((request) => request.at)
    expect(sent).toHaveLength(7)
    // One CronJob read and 6 dry runs: 2 at once, then one every 100 ms.
    expect(sent.at(-1)! - sent[0]!).toBeGreaterThanOrEqual(480)
  })
})

describe('after a SIGKILL', () => {
  it('the next run finds every running Job again through one watch, creating none twice', { timeout: 30_000 }, async () => {
    ensureBuilt()
    const { server, cluster } = await kubeCluster('us-east-1-prod')
    const kubeconfig = cluster.kubernetes!.kubeconfig!
    server.setJobScript(() => ({ outcome: 'hang' }))
    const records = join(mkdtempSync(join(tmpdir(), 'bf-kube-records-')), 'records.jsonl')
    const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'kube-launch-child.mjs'), kubeconfig, '10', records], { stdio: 'inherit' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const recorded = (): Array<{ index: number; outputs: Record<string, JsonValue> }> =>
      existsSync(records) ? readFileSync(records, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []
    await server.waitFor(() => recorded().length === 10 && server.openWatches === 1, 20_000)
    child.kill('SIGKILL')
    await exited

    server.requests.length = 0
    server.maxOpenWatches = 0
    const launcher = createKubernetesLauncher(OPTIONS)
    const resumed = recorded().map(({ index, outputs }) => launcher.run(unitRequest(kubeconfig, index), recordingContext(), outputs))
    await server.waitFor(() => server.requestCounts()['get jobs'] === 10 && server.openWatches === 1)
    for (const job of server.jobs(CRON_NAMESPACE)) server.finishJob(CRON_NAMESPACE, job.metadata.name, 'complete')
    const outcomes = await Promise.all(resumed)
    await launcher.close()

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    expect(new Set(outcomes.map((outcome) => outcome.outputs.jobUid))).toEqual(new Set(server.jobs(CRON_NAMESPACE).map((job) => job.metadata.uid)))
    // Each Job read once by name, then followed through the one list and watch.
    expect(server.requestCounts()).toEqual({ 'get jobs': 10, 'list jobs': 1, 'watch jobs': 1 })
    expect(server.maxOpenWatches).toBe(1)
  })
})
