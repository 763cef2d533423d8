import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { V1CronJob } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { KubernetesLauncherOptions } from '../../src/launchers/kubernetes.js'
import { buildJobManifest, createKubernetesLauncher } from '../../src/launchers/kubernetes.js'
import { templateOf } from '../../src/launchers/kubernetes/job-template.js'
import type { JobRequest } from '../../src/launchers/launcher.js'
import type { ClusterSpec } from '../../src/plan/model.js'
import type { KubeApiServer, RecordedRequest } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import { CRON_NAME, CRON_NAMESPACE, clusterSpec, jobRequest, kubernetesJobSpec, labelConversationsCronJob, recordingContext } from '../support/kube-fixtures.js'

const FAST: KubernetesLauncherOptions = {
  podCheckIntervalMs: 20,
  podStuckGraceMs: 150,
  retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 50 },
  requestTimeoutMs: 2_000,
  watchTimeoutSeconds: 5,
  watchIdleMs: 100,
}

let server: KubeApiServer
let cluster: ClusterSpec
let logDir: string
let cronJob: V1CronJob

beforeEach(async () => {
  server = await startKubeApiServer()
  cronJob = server.addCronJob(labelConversationsCronJob()) as unknown as V1CronJob
  cluster = clusterSpec(await server.writeKubeconfig())
  logDir = await mkdtemp(join(tmpdir(), 'bf-kube-logs-'))
})

afterEach(async () => {
  await server.close()
})

function request(overrides: Partial<JobRequest> = {}): JobRequest {
  return jobRequest(cluster, { logDir, ...overrides })
}

const isCreate = (r: RecordedRequest): boolean => r.method === 'POST' && r.resource === 'jobs'
const isWatch = (r: RecordedRequest): boolean => r.verb === 'watch' && r.resource === 'jobs'
const isJobList = (r: RecordedRequest): boolean => r.verb === 'list' && r.resource === 'jobs'
/** What the first Job of a launcher records of the template it was made from: its fingerprint and content. */
const templateOutputs = (): { template: string; jobTemplate: unknown } => {
  const template = templateOf(cronJob)
  return { template: template.fingerprint, jobTemplate: template.content }
}
const PLAN_SELECTOR = 'app.kubernetes.io/managed-by=bf,bf.dev/plan=relabel-2026'

describe('running a Job', () => {
  it('creates the Job from the CronJob, records it right away, and reports completion', async () => {
    const launcher = createKubernetesLauncher(FAST)
    const context = recordingContext()
    const conditionsWhenRecorded: unknown[] = []
    const record = context.record
    context.record = async (outputs) => {
      conditionsWhenRecorded.push(server.job(CRON_NAMESPACE, String(outputs.jobName))?.status?.conditions)
      return record(outputs)
    }
    server.setJobScript(() => ({ outcome: 'hang' }))
    const req = request()
    const running = launcher.run(req, context)
    await server.waitFor(() => server.openWatches > 0 && context.records.length > 0)
    server.finishJob(CRON_NAMESPACE, String(context.records[0]!.jobName), 'complete')
    const outcome = await running

    const expected = buildJobManifest(cronJob, req)
    const name = expected.metadata!.name!
    const stored = server.job(CRON_NAMESPACE, name)!
    expect(outcome).toEqual({
      ok: true,
      outputs: { jobName: name, jobUid: stored.metadata.uid, namespace: CRON_NAMESPACE, ...templateOutputs(), condition: 'Complete', reason: 'CompletionsReached' },
    })
    expect(context.records).toEqual([{ jobName: name, jobUid: stored.metadata.uid, namespace: CRON_NAMESPACE, ...templateOutputs() }])
    expect(conditionsWhenRecorded).toEqual([undefined])

    expect(server.requestsMatching((r) => r.resource === 'cronjobs')).toEqual([expect.objectContaining({ method: 'GET', path: `/apis/batch/v1/namespaces/${CRON_NAMESPACE}/cronjobs/${CRON_NAME}` })])
    const creates = server.requestsMatching(isCreate)
    expect(creates).toHaveLength(1)
    expect(creates[0]!.body).toEqual(JSON.parse(JSON.stringify(expected)))
    // One list and watch of the plan's Jobs; a success needs no pod lookup.
    expect(server.requestsMatching(isJobList).map((r) => r.query.labelSelector)).toEqual([PLAN_SELECTOR])
    expect(server.requestsMatching(isWatch)[0]!.query).toMatchObject({ watch: 'true', labelSelector: PLAN_SELECTOR, allowWatchBookmarks: 'true' })
    expect(server.requestsMatching((r) => r.resource === 'pods')).toEqual([])
    expect(context.notes.some((note) => note.startsWith(`created Job ${CRON_NAMESPACE}/${name}`))).toBe(true)
    await launcher.close()
  })

  it('fails a failed Job with the log tail of all its pods stored in logDir; the next attempt gets its own Job', async () => {
    const launcher = createKubernetesLauncher(FAST)
    server.setJobScript((job) => (job.metadata.labels?.['bf.dev/attempt'] === '1' ? { outcome: 'fail', pods: 2, logs: 'line 1\nline 2\nFATAL: clickhouse said no\n' } : undefined))

    const first = await launcher.run(request(), recordingContext())
    expect(first.ok).toBe(false)
    const firstName = String(first.outputs.jobName)
    expect(first.error).toBe(`Job ${CRON_NAMESPACE}/${firstName} failed (BackoffLimitExceeded: Job has reached the specified backoff limit)`)
    const pods = first.outputs.pods as string[]
    expect(pods).toHaveLength(2)
    for (const pod of pods) {
      expect(first.logTail).toContain(`==> ${pod}/cron <==\nline 1\nline 2\nFATAL: clickhouse said no`)
      expect(first.logTail).toContain(`==> ${pod}/wait-for-clickhouse <==`)
    }
    expect(first.outputs.logFile).toBe(join(logDir, `${firstName}.log`))
    expect(await readFile(join(logDir, `${firstName}.log`), 'utf8')).toBe(`${first.logTail}\n`)
    const logReads = server.requestsMatching((r) => r.resource === 'pods/log')
    expect(logReads.every((r) => r.query.tailLines === '50' && r.query.container)).toBe(true)

    const second = await launcher.run(request({ attempt: 2 }), recordingContext())
    expect(second.ok).toBe(true)
    expect(second.outputs.jobName).toMatch(/^bf-relabel-2026-alaska-air-20260115-a2-[0-9a-f]{6}$/)
    expect(second.outputs.jobName).not.toBe(firstName)
    expect(server.jobs(CRON_NAMESPACE)).toHaveLength(2)
  })

  it('lets the simulated Job do real work while it runs', async () => {
    const seen: string[] = []
    server.onJobRunning(async (job, tools) => {
      const env: Array<{ name: string; value: string }> = job.spec.template.spec.containers[0].env
      seen.push(env.find((variable) => variable.name === 'FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE')!.value)
      tools.log('inserted 0 rows: nothing to do')
      return 'fail' as const
    })
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(seen).toEqual(['alaska-air'])
    expect(outcome.ok).toBe(false)
    expect(outcome.logTail).toContain('inserted 0 rows: nothing to do')
  })
})

describe('idempotent create', () => {
  it('adopts its own Job on AlreadyExists (a crash between create and record)', async () => {
    const req = request()
    const earlier = server.addJob(buildJobManifest(cronJob, req))
    const context = recordingContext()
    const outcome = await createKubernetesLauncher(FAST).run(req, context)
    expect(outcome.ok).toBe(true)
    expect(outcome.outputs.jobUid).toBe(earlier.metadata.uid)
    expect(context.records).toEqual([{ jobName: earlier.metadata.name, jobUid: earlier.metadata.uid, namespace: CRON_NAMESPACE, ...templateOutputs() }])
    expect(context.notes.some((note) => note.startsWith('adopted Job'))).toBe(true)
    expect(server.requestsMatching(isCreate)).toHaveLength(1)
  })

  it('adopts the Job when the create reached the server but its answer was lost', async () => {
    server.failNext(1, { status: 'reset-after', match: isCreate })
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(outcome.ok).toBe(true)
    expect(server.requestsMatching(isCreate)).toHaveLength(2)
    expect(server.jobs(CRON_NAMESPACE)).toHaveLength(1)
  })

  it("refuses a Job of the same name that is not this unit's", async () => {
    const req = request()
    const name = buildJobManifest(cronJob, req).metadata!.name!
    server.addJob({ metadata: { name, namespace: CRON_NAMESPACE, labels: { app: 'someone-else' } }, spec: cronJob.spec!.jobTemplate.spec }, false)
    const context = recordingContext()
    const outcome = await createKubernetesLauncher(FAST).run(req, context)
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(new RegExp(`^a Job named ${name} exists and is not bf's for this unit: label app.kubernetes.io/managed-by is missing`))
    expect(context.records).toEqual([])
  })

  it('refuses a Job with its name and labels that another state (lineage) made', async () => {
    const manifest = buildJobManifest(cronJob, request())
    manifest.metadata!.annotations!['bf.dev/lineage'] = 'old-state'
    server.addJob(manifest, false)
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(outcome.error).toMatch(/is not bf's for this unit: it belongs to another state \(lineage old-state, this state's is lin-4b1d9a\)/)
  })
})

describe('resuming after an interruption', () => {
  it('finds the recorded Job by name and waits for it without creating anything', async () => {
    server.setJobScript(() => ({ outcome: 'hang' }))
    const req = request()
    const earlier = server.addJob(buildJobManifest(cronJob, req))
    const context = recordingContext()
    const running = createKubernetesLauncher(FAST).run(req, context, { jobName: earlier.metadata.name, jobUid: earlier.metadata.uid, namespace: CRON_NAMESPACE })
    await server.waitFor(() => server.openWatches > 0)
    server.finishJob(CRON_NAMESPACE, earlier.metadata.name, 'complete')
    const outcome = await running
    expect(outcome.ok).toBe(true)
    expect(outcome.outputs.jobUid).toBe(earlier.metadata.uid)
    expect(server.requestsMatching((r) => r.method === 'POST')).toEqual([])
    expect(server.requestsMatching((r) => r.resource === 'cronjobs')).toEqual([])
    expect(context.notes.some((note) => note.startsWith('resumed Job'))).toBe(true)
  })

  it("falls back to bf's labels when the recorded name is not found", async () => {
    const req = request()
    const manifest = buildJobManifest(cronJob, req)
    manifest.metadata!.name = 'bf-renamed-job'
    server.addJob(manifest)
    const outcome = await createKubernetesLauncher(FAST).run(req, recordingContext(), { jobName: 'bf-lost-job' })
    expect(outcome.ok).toBe(true)
    expect(outcome.outputs.jobName).toBe('bf-renamed-job')
    const byLabel = server.requestsMatching((r) => isJobList(r) && r.query.labelSelector !== PLAN_SELECTOR)
    expect(byLabel[0]!.query.labelSelector).toMatch(/^app.kubernetes.io\/managed-by=bf,bf.dev\/plan=relabel-2026,bf.dev\/unit=[0-9a-f]{16},bf.dev\/attempt=1$/)
    expect(server.requestsMatching(isCreate)).toEqual([])
  })

  it('fails clearly when the recorded Job is gone', async () => {
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext(), { jobName: 'bf-lost-job' })
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(/^Job cresta-cron\/bf-lost-job, recorded by an earlier run of this attempt, no longer exists/)
    expect(server.requestsMatching(isCreate)).toEqual([])
  })
})

describe('watching', () => {
  it('still sees the completion after a dropped watch and a 410 Gone', async () => {
    server.setJobScript(() => ({ outcome: 'hang' }))
    server.goneOnNextWatch(1)
    const running = createKubernetesLauncher(FAST).run(request(), recordingContext())
    // The first watch answers 410: bf lists again and watches anew.
    await server.waitFor(() => server.openWatches > 0)
    expect(server.requestsMatching(isJobList)).toHaveLength(2)

    // The watch breaks, the Job finishes while nobody watches, and history is compacted:
    // resuming from the last resourceVersion gets 410, and the list shows the end.
    const job = server.jobs(CRON_NAMESPACE)[0]!
    server.dropWatches('destroy')
    server.finishJob(CRON_NAMESPACE, job.metadata.name, 'complete')
    server.compact()
    const outcome = await running
    expect(outcome.error).toBeUndefined()
    expect(outcome.ok).toBe(true)
    expect(server.requestsMatching(isJobList)).toHaveLength(3)
    expect(server.requestsMatching(isWatch).length).toBeGreaterThanOrEqual(3)
  })

  it('reconnects from the last resourceVersion when a watch ends, and skips bookmarks', async () => {
    await server.close()
    server = await startKubeApiServer({ bookmarkIntervalMs: 10 })
    cronJob = server.addCronJob(labelConversationsCronJob()) as unknown as V1CronJob
    cluster = clusterSpec(await server.writeKubeconfig())
    server.setJobScript(() => ({ outcome: 'hang' }))
    const running = createKubernetesLauncher(FAST).run(request(), recordingContext())
    await server.waitFor(() => server.openWatches > 0)
    // A change the watch does not carry: only a BOOKMARK can tell bf the newer revision.
    const unrelated = server.addCronJob({ ...labelConversationsCronJob(), metadata: { name: 'unrelated', namespace: CRON_NAMESPACE } })
    // Sent before the watch ends below, so bf reads it first.
    await server.waitFor(() => server.bookmarksSent.some((revision) => revision >= Number(unrelated.metadata.resourceVersion)))
    const job = server.jobs(CRON_NAMESPACE)[0]!
    server.dropWatches('end')
    server.failNext(2, { status: 500, match: isWatch })
    server.finishJob(CRON_NAMESPACE, job.metadata.name, 'complete')
    expect((await running).ok).toBe(true)
    const watches = server.requestsMatching(isWatch)
    expect(watches.length).toBeGreaterThanOrEqual(4)
    // Resumed from the bookmark's revision, not from scratch: no list after the first.
    expect(Number(watches.at(-1)!.query.resourceVersion)).toBeGreaterThan(Number(watches[0]!.query.resourceVersion))
    expect(server.requestsMatching(isJobList)).toHaveLength(1)
  })

  it('fails clearly when the Job is deleted while bf waits', async () => {
    server.setJobScript(() => ({ outcome: 'hang' }))
    const running = createKubernetesLauncher(FAST).run(request(), recordingContext())
    // The cluster's watch may open before the Job is created: wait for both.
    await server.waitFor(() => server.openWatches > 0 && server.jobs(CRON_NAMESPACE).length > 0)
    const name = server.jobs(CRON_NAMESPACE)[0]!.metadata.name
    server.deleteJob(CRON_NAMESPACE, name)
    const outcome = await running
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toBe(`Job ${CRON_NAMESPACE}/${name} was deleted while bf waited for it`)
  })
})

describe('stuck pods and timeouts', () => {
  it('fails on ImagePullBackOff beyond the grace period, with the reason, and deletes the Job', async () => {
    server.setJobScript(() => ({ outcome: 'image-pull-backoff' }))
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    const name = String(outcome.outputs.jobName)
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(
      new RegExp(`^Job ${CRON_NAMESPACE}/${name}: pod ${name}-\\w+ stuck in ImagePullBackOff for more than 150ms \\(container wait-for-clickhouse: Back-off pulling image "registry.example.com/tools/wait-for:1.4.2"\\); bf deleted the Job$`),
    )
    expect(outcome.logTail).toContain('(no log: container not started, ImagePullBackOff')
    expect(server.job(CRON_NAMESPACE, name)).toBeUndefined()
    expect(server.requestsMatching((r) => r.method === 'DELETE')[0]!.query.propagationPolicy).toBe('Background')
    expect(server.requestsMatching((r) => r.resource === 'pods' && r.verb === 'list')[0]!.query.labelSelector).toBe(`batch.kubernetes.io/controller-uid=${outcome.outputs.jobUid}`)
  })

  it('fails on an unschedulable pod', async () => {
    server.setJobScript(() => ({ outcome: 'unschedulable' }))
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(outcome.error).toMatch(/stuck in Unschedulable for more than 150ms \(0\/3 nodes are available: 3 Insufficient memory\.\)/)
  })

  it('deletes the Job with background propagation when job.timeout passes', async () => {
    server.setJobScript(() => ({ outcome: 'hang', logs: 'still working on 2026-01-15\n' }))
    const req = request({ job: kubernetesJobSpec({}, { timeoutMs: 200 }) })
    const started = Date.now()
    const outcome = await createKubernetesLauncher(FAST).run(req, recordingContext())
    const name = String(outcome.outputs.jobName)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toBe(`Job ${CRON_NAMESPACE}/${name} did not finish within 200ms (job.timeout); bf deleted it`)
    expect(outcome.logTail).toContain('still working on 2026-01-15')
    const deletes = server.requestsMatching((r) => r.method === 'DELETE')
    expect(deletes).toEqual([expect.objectContaining({ path: `/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs/${name}`, query: { propagationPolicy: 'Background' } })])
    expect(server.job(CRON_NAMESPACE, name)).toBeUndefined()
    expect(server.pods(CRON_NAMESPACE)).toEqual([])
  })

  it('treats an abort with a TimeoutError as a timeout, and any other abort as an interruption that leaves the Job', async () => {
    server.setJobScript(() => ({ outcome: 'hang' }))
    const timedOut = await createKubernetesLauncher(FAST).run(request({ signal: AbortSignal.timeout(300) }), recordingContext())
    expect(timedOut.error).toMatch(/did not finish within its time limit \(job\.timeout\); bf deleted it$/)
    expect(server.jobs(CRON_NAMESPACE)).toEqual([])

    const stop = new AbortController()
    const context = recordingContext()
    const running = createKubernetesLauncher(FAST).run(request({ attempt: 2, signal: stop.signal }), context)
    await server.waitFor(() => context.records.length > 0)
    stop.abort(new Error('second interrupt'))
    await expect(running).rejects.toThrow('second interrupt')
    expect(server.jobs(CRON_NAMESPACE)).toHaveLength(1)
  })
})

describe('transient API errors', () => {
  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 1, match: isCreate })
    const launcher = createKubernetesLauncher({ ...FAST, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 } })
    const context = recordingContext()
    const started = Date.now()
    const outcome = await launcher.run(request(), context)
    expect(outcome.ok).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(server.requestsMatching(isCreate)).toHaveLength(2)
    expect(context.notes.some((note) => /TooManyRequests: injected 429; retrying in 1000 ms/.test(note))).toBe(true)
  })

  it('retries 500, 503 and dropped connections on reads, creates and lists', async () => {
    server.failNext(2, { status: 503, match: (r) => r.resource === 'cronjobs' })
    server.failNext(1, { status: 'reset', match: isCreate })
    server.failNext(1, { status: 500, match: isJobList })
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(outcome.ok).toBe(true)
    expect(server.requestsMatching((r) => r.resource === 'cronjobs')).toHaveLength(3)
  })

  it('gives up after the retry budget with the Status message', async () => {
    server.failNext(10, { status: 503, match: (r) => r.resource === 'cronjobs' })
    const outcome = await createKubernetesLauncher(FAST).run(request(), recordingContext())
    expect(outcome).toEqual({ ok: false, outputs: {}, error: `cannot read CronJob ${CRON_NAMESPACE}/${CRON_NAME} in context test: ServiceUnavailable: injected 503` })
    expect(server.requestsMatching((r) => r.resource === 'cronjobs')).toHaveLength(5)
  })
})
