import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { EngineOptions } from '../../src/cli/engine-wiring.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import type { FaultProxy } from '../support/fault-proxy.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import type { KubeApiServer, RecordedRequest } from '../support/kube-api-server.js'
import { labelConversationsCronJob } from '../support/kube-fixtures.js'
import type { KubeObject } from '../support/kube-store.js'
import { correct, figures, openFaultWorkspace } from './fault-workspace.js'
import type { FaultRun, FaultWorkspace } from './fault-workspace.js'

let ws: FaultWorkspace
let kube: KubeApiServer
/** Between bf and the API server, for an API that stops answering. */
let kubeProxy: FaultProxy
let kubeconfig: string
let plans = 0
/** What the next Jobs do before they write their rows (a test's hook). */
let beforeWork: ((job: KubeObject) => Promise<void>) | undefined

/** bf's timeouts and retries for the API, shortened: 3 tries, 400 ms per request, watches of 1 s. */
const KUBE: EngineOptions = {
  kubernetes: { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 1_500 }, requestTimeoutMs: 400, podCheckIntervalMs: 50, watchTimeoutSeconds: 1 },
}

type Env = { name: string; value?: string }[]

function envOf(job: KubeObject): Record<string, string> {
  const containers = (job.spec as { template: { spec: { containers: { env?: Env }[] } } }).template.spec.containers
  return Object.fromEntries((containers[0]?.env ?? []).map((entry) => [entry.name, entry.value ?? '']))
}

function plan(customers: string[], days: number): string {
  return `version: 1
name: kube-faults-${++plans}
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-0${days + 1}T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer, timeout: 1m }
job:
  kind: kubernetes
  kubernetes: { cronJob: cron-label-conversations, namespace: cresta-cron }
  env:
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: "{{ batch.start }}"
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: "{{ batch.end }}"
    FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: "{{ customer }}"
  retries: 0
  concurrency: 2
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
clusters:
  local:
    clickhouse: { url: ${ws.proxy.url} }
    kubernetes: { context: test, kubeconfig: ${kubeconfig} }
    customers: ${JSON.stringify(customers)}
`
}

async function writeKubeconfig(server: string, token: string): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bf-test', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'bf-test-user', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'bf-test', user: 'bf-test-user' } }],
    'current-context': 'test',
  }
  const path = join(await mkdtemp(join(tmpdir(), 'bf-kubeconfig-')), 'config')
  await writeFile(path, stringify(config))
  return path
}

beforeAll(async () => {
  ws = await openFaultWorkspace()
  kube = await startKubeApiServer()
  kubeProxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(kube.url).port) })
  kubeconfig = await writeKubeconfig(kubeProxy.url, kube.token)
  kube.addCronJob(labelConversationsCronJob())
  // The simulated cron re-labels its customer's range from the source of truth, as the real one does.
  kube.onJobRunning(async (job) => {
    await beforeWork?.(job)
    const env = envOf(job)
    await ws.sql.command({
      query: `INSERT INTO conversation_with_labels SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'k8s', toDateTime('2026-06-01 00:00:00')
              FROM conversation_d WHERE customer_id = {c:String} AND ended_at >= parseDateTimeBestEffort({s:String}) AND ended_at < parseDateTimeBestEffort({e:String})`,
      query_params: {
        c: env.FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE ?? '',
        s: env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START ?? '',
        e: env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END ?? '',
      },
    })
    return 'complete' as const
  })
})
afterAll(async () => {
  await kubeProxy?.close()
  await kube?.close()
  await ws?.close()
})
beforeEach(async () => {
  beforeWork = undefined
  kubeProxy.reset()
  kubeProxy.recover()
  for (const job of kube.jobs('cresta-cron')) kube.deleteJob('cresta-cron', job.metadata.name)
  kube.requests.length = 0
})

const isCreate = (request: RecordedRequest): boolean => request.method === 'POST' && request.resource === 'jobs' && request.query.dryRun !== 'All'

function expectCompleted(run: FaultRun): void {
  expect(run.failureLines).toEqual([])
  expect(run.kind === 'applied' && run.result).toMatchObject({ failed: 0, skipped: 0, interrupted: false })
}

async function expectCorrectData(units: number): Promise<void> {
  const live = await figures(ws, 'k8s')
  expect(live).toEqual(correct(live.truth))
  expect(live.truth).toBeGreaterThan(0)
  // One Job per unit, however many creates were retried.
  const jobs = kube.jobs('cresta-cron')
  expect(jobs).toHaveLength(units)
  expect(new Set(jobs.map((job) => job.metadata.annotations?.['bf.dev/address'])).size).toBe(units)
}

function notes(run: FaultRun): string[] {
  return run.events.flatMap((event) => (event.type === 'step_note' ? [event.message] : []))
}

describe('transient Kubernetes API faults are retried and the apply completes', () => {
  it('500 and 503 bursts, a create whose answer was lost, 429 with Retry-After and a reset connection', async () => {
    await ws.seed({ customers: 2, days: 2, conversationsPerDay: 15, start: '2026-01-01T00:00:00Z' })
    ws.writePlan(plan(['alaska-air', 'acme'], 2))
    kube.failNext(2, { status: 500, match: isCreate })
    kube.failNext(1, { status: 'reset-after', match: isCreate })
    kube.failNext(2, { status: 503, match: (request) => request.verb === 'get' && request.resource === 'cronjobs' })
    kube.failNext(1, { status: 429, retryAfterSeconds: 1, match: (request) => request.verb === 'list' && request.resource === 'jobs' })
    kube.failNext(1, { status: 'reset', match: (request) => request.verb === 'watch' && request.resource === 'jobs' })

    const run = await ws.apply(KUBE)
    expectCompleted(run)
    await expectCorrectData(4)
    // The create whose answer was lost was sent again and adopted the Job it had made.
    expect(kube.requestsMatching(isCreate).length).toBe(4 + 2 + 1)
    expect(notes(run).some((note) => /TooManyRequests: injected 429; retrying in 1000 ms/.test(note))).toBe(true)
    expect(notes(run).some((note) => /InternalError: injected 500; retrying in/.test(note))).toBe(true)
  })

  it('watches dropped mid-way, then a 410 Gone', async () => {
    await ws.seed({ customers: 1, days: 2, conversationsPerDay: 15, start: '2026-01-01T00:00:00Z' })
    ws.writePlan(plan(['alaska-air'], 2))
    let dropped = 0
    beforeWork = async () => {
      if (dropped > 0) return
      await kube.waitFor(() => kube.openWatches > 0)
      kube.goneOnNextWatch(1)
      dropped = kube.dropWatches('destroy')
    }
    const run = await ws.apply(KUBE)
    expectCompleted(run)
    expect(dropped).toBeGreaterThan(0)
    await expectCorrectData(2)
  })
})

describe('an API that stops answering fails the step naming the Job; the next apply takes the same Job up', () => {
  it('stops answering as the Job is created: the create is unresolved, and the next apply adopts the Job it made', async () => {
    await ws.seed({ customers: 1, days: 1, conversationsPerDay: 15, start: '2026-01-01T00:00:00Z' })
    ws.writePlan(plan(['alaska-air'], 1))
    kubeProxy.inject({
      match: (request) => request.method === 'POST' && /\/jobs$/.test(new URL(request.url, 'http://x').pathname) && !request.url.includes('dryRun'),
      fault: { kind: 'hang', forward: true },
      onHit: () => kubeProxy.stall(),
    })
    const first = await ws.apply(KUBE)
    expect(first.kind === 'applied' && first.result).toMatchObject({ failed: 1, skipped: 1 })
    expect(first.failureLines).toHaveLength(1)
    expect(first.failureLines[0]).toMatch(/^✗ local\/alaska-air\/2026-01-01\/job failed: cannot create Job cresta-cron\/bf-kube-faults-\d+-alaska-air-20260101-a1-[0-9a-f]+: .*the Job may exist all the same/)
    expect((await ws.state()).steps.get('local/alaska-air/2026-01-01/job')).toMatchObject({ status: 'started', attempt: 1 })
    expect(kube.jobs('cresta-cron')).toHaveLength(1)

    kubeProxy.recover()
    const second = await ws.apply(KUBE)
    expectCompleted(second)
    expect(notes(second).some((note) => /^adopted Job cresta-cron\//.test(note))).toBe(true)
    await expectCorrectData(1)
  })

  it('stops answering while bf watches the Job: bf loses track of it, and the next apply resumes the same Job', async () => {
    await ws.seed({ customers: 1, days: 1, conversationsPerDay: 15, start: '2026-01-01T00:00:00Z' })
    ws.writePlan(plan(['alaska-air'], 1))
    let release = (): void => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    beforeWork = async () => {
      await kube.waitFor(() => kube.openWatches > 0)
      kubeProxy.stall()
      await released
    }
    const first = await ws.apply(KUBE)
    expect(first.kind === 'applied' && first.result).toMatchObject({ failed: 1, skipped: 1 })
    const [line, ...below] = first.failureLines
    expect(line).toMatch(/^✗ local\/alaska-air\/2026-01-01\/job failed: bf lost track of Job cresta-cron\/bf-kube-faults-\d+-alaska-air-20260101-a1-[0-9a-f]+: the watch .* got no answer within 1\.4s — it may still be running; the next apply finds it again/)
    // Where the log tail would be: why there is none.
    expect(below).toEqual([expect.stringMatching(/^ {2}│ \(logs unavailable: cannot list the Job's pods: /)])
    expect((await ws.state()).steps.get('local/alaska-air/2026-01-01/job')).toMatchObject({ status: 'started', attempt: 1 })

    kubeProxy.recover()
    release()
    const second = await ws.apply(KUBE)
    expectCompleted(second)
    expect(notes(second).some((note) => /^resumed Job cresta-cron\//.test(note))).toBe(true)
    expect(kube.requestsMatching(isCreate)).toHaveLength(1)
    await expectCorrectData(1)
  })
})
