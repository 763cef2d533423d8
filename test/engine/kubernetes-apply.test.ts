import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { withJobPreviews } from '../../src/engine/job-previews.js'
import { computePlan } from '../../src/engine/planner.js'
import { ALL, openWorkspace } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { labelConversationsCronJob } from '../support/kube-fixtures.js'

let ws: EmbeddedWorkspace
let kube: KubeApiServer
let kubeconfig: string

const plan = (retries: number) => `version: 1
name: relabel-k8s
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer, timeout: 1m }
job:
  kind: kubernetes
  kubernetes: { cronJob: cron-label-conversations, namespace: cresta-cron }
  env:
    ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: "true"
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: "{{ batch.start }}"
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: "{{ batch.end }}"
    FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: "{{ customer }}"
  retries: ${retries}
  concurrency: 2
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
rollout: { canary: [alaska-air] }
clusters:
  local:
    clickhouse: { embedded: ./data }
    kubernetes: { context: test, kubeconfig: ${kubeconfig} }
    customers: [alaska-air, acme]
`

type Env = { name: string; value?: string }[]

function envOf(job: { spec?: unknown }): Record<string, string> {
  const containers = (job.spec as { template: { spec: { containers: { name: string; env?: Env }[] } } }).template.spec.containers
  return Object.fromEntries((containers[0]?.env ?? []).map((entry) => [entry.name, entry.value ?? '']))
}

// Each test has a workspace and an API server of its own: the dry run must see no Job of another test.
beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 2, days: 2, conversationsPerDay: 25, start: '2026-01-01T00:00:00Z' })
  kube = await startKubeApiServer()
  kubeconfig = await kube.writeKubeconfig({ contexts: ['test'] })
  kube.addCronJob(labelConversationsCronJob())
  // The simulated cron does what the real one does: re-labels its customer's range from the source of truth.
  kube.onJobRunning(async (job, tools) => {
    const env = envOf(job)
    const customer = env.FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE ?? ''
    const failures = (job.metadata as { annotations?: Record<string, string> }).annotations?.['bf.dev/attempt']
    if (customer === 'acme' && env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START === '2026-01-02T00:00:00Z' && Number(failures) <= 2) {
      tools.log('labeler: upstream timeout')
      return 'fail'
    }
    await ws.sql.command({
      query: `INSERT INTO conversation_with_labels SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'k8s', toDateTime('2026-06-01 00:00:00')
              FROM conversation_d WHERE customer_id = {c:String} AND ended_at >= parseDateTimeBestEffort({s:String}) AND ended_at < parseDateTimeBestEffort({e:String})`,
      query_params: {
        c: customer,
        s: env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START ?? '',
        e: env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END ?? '',
      },
    })
    tools.log(`labelled ${customer}`)
    return 'complete'
  })
})
afterEach(async () => {
  await kube.close()
  await ws.close()
})

describe('apply with Kubernetes Jobs made from the CronJob', () => {
  it('shows the exact Job manifest for review and sends it to the server as a dry run', async () => {
    ws.writePlan(plan(2))
    const spec = await ws.load()
    const engine = await openEngine(spec)
    try {
      const computed = await computePlan(spec, engine.deps, ALL)
      const reviewed = await withJobPreviews(spec, computed, engine.deps, true)
      const preview = reviewed.steps.find((step) => step.address === 'local/acme/2026-01-01/job')?.inputs.preview
      expect(preview).toContain('kind: Job')
      expect(preview).toContain('cronjob.kubernetes.io/instantiate')
      expect(preview).toMatch(/name: FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE\n\s+value: acme/)
      expect(computed.steps.find((step) => step.address === 'local/acme/2026-01-01/job')?.inputs.preview).toBeUndefined()
      expect(kube.requestsMatching((request) => request.method === 'POST' && request.query.dryRun === 'All').length).toBeGreaterThan(0)
      expect(kube.jobs('cresta-cron')).toHaveLength(0)
    } finally {
      await engine.close()
    }
  })

  it('backfills every unit through Jobs, retrying a Job that fails twice, and verifies real rows', async () => {
    ws.writePlan(plan(2))
    const run = await ws.apply()
    expect(run.kind).toBe('applied')
    if (run.kind !== 'applied') return
    expect(run.result).toMatchObject({ failed: 0, skipped: 0 })
    const jobs = kube.jobs('cresta-cron')
    expect(jobs).toHaveLength(4 + 2)
    const retried = run.events.filter((event) => event.type === 'step_start' && event.address === 'local/acme/2026-01-02/job')
    expect(retried.map((event) => (event.type === 'step_start' ? event.attempt : 0))).toEqual([1, 2, 3])
    const [counts] = await ws.rows<{ rows: string; keys: string; truth: string }>(
      `SELECT (SELECT count() FROM conversation_with_labels) AS rows, (SELECT uniqExact(customer_id, conversation_id) FROM conversation_with_labels) AS keys,
              (SELECT count() FROM conversation_d) AS truth`,
    )
    expect(counts).toEqual({ rows: counts?.truth, keys: counts?.truth, truth: counts?.truth })
    const first = jobs.find((job) => envOf(job).FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE === 'alaska-air')
    expect(first?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'bf', app: 'cron-label-conversations' })
    expect(first?.metadata.annotations?.['bf.dev/address']).toMatch(/^local\/alaska-air\/2026-01-0[12]$/)
    expect((await ws.plan()).steps).toEqual([])
  })
})
