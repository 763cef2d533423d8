import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { applyPlan } from '../../src/engine/apply.js'
import { planWithJobTemplates } from '../../src/engine/job-templates.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { templateOf } from '../../src/launchers/kubernetes/job-template.js'
import { parseSavedPlan, serializeSavedPlan } from '../../src/saved-plan/format.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { planToJson } from '../../src/views/plan-json.js'
import type { V1CronJob } from '@kubernetes/client-node'
import { ALL, FAST, openWorkspace, testApplyRequest } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { CRON_NAME, CRON_NAMESPACE, labelConversationsCronJob } from '../support/kube-fixtures.js'

let ws: EmbeddedWorkspace
let kube: KubeApiServer
let kubeconfig: string

const OLD_IMAGE = 'registry.example.com/go-servers/cron:2026.02.17-4f1c2ab'
const NEW_IMAGE = 'registry.example.com/go-servers/cron:2026.03.02-9e0d1f7'

const plan = (onTemplateChange?: 'keep' | 'rerun') => `version: 1
name: relabel-template
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer, timeout: 1m }
job:
  kind: kubernetes
  kubernetes: { cronJob: ${CRON_NAME}, namespace: ${CRON_NAMESPACE}${onTemplateChange ? `, onTemplateChange: ${onTemplateChange}` : ''} }
  env:
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: "{{ batch.start }}"
    LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: "{{ batch.end }}"
    FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: "{{ customer }}"
  concurrency: 2
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
clusters:
  local:
    clickhouse: { embedded: ./data }
    kubernetes: { context: test, kubeconfig: ${kubeconfig} }
    customers: [alaska-air]
`

type Env = { name: string; value?: string }[]

beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 1, days: 2, conversationsPerDay: 10, start: '2026-01-01T00:00:00Z' })
  kube = await startKubeApiServer()
  kubeconfig = await kube.writeKubeconfig()
  kube.addCronJob(labelConversationsCronJob())
  // The simulated cron re-labels its customer's range from the source of truth, as the real one does.
  kube.onJobRunning(async (job) => {
    const env: Env = job.spec.template.spec.containers[0].env
    const value = (name: string): string => env.find((entry) => entry.name === name)?.value ?? ''
    await ws.sql.command({
      query: `INSERT INTO conversation_with_labels SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'k8s', toDateTime('2026-06-01 00:00:00')
              FROM conversation_d WHERE customer_id = {c:String} AND ended_at >= parseDateTimeBestEffort({s:String}) AND ended_at < parseDateTimeBestEffort({e:String})`,
      query_params: {
        c: value('FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE'),
        s: value('LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START'),
        e: value('LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END'),
      },
    })
    return 'complete' as const
  })
})

afterEach(async () => {
  await kube.close()
  await ws.close()
})

/** The team deploys a new image: the CronJob's template changes under bf. */
function deployNewImage(): void {
  kube.store.update('cronjobs', CRON_NAMESPACE, CRON_NAME, (cronJob) => {
    cronJob.spec.jobTemplate.spec.template.spec.containers[0].image = NEW_IMAGE
  })
}

async function planNow(): Promise<ComputedPlan> {
  const spec = await ws.load()
  const engine = await openEngine(spec)
  try {
    return await planWithJobTemplates(spec, engine.deps, ALL)
  } finally {
    await engine.close()
  }
}

const cronJob = (): V1CronJob => kube.store.get('cronjobs', CRON_NAMESPACE, CRON_NAME) as unknown as V1CronJob
const imageChange = `containers[cron].image: ${OLD_IMAGE} → ${NEW_IMAGE}`

describe('the CronJob template, as reviewed', () => {
  it('is read once per plan and cluster, is part of the plan, and a change since the last apply is shown with what changed; keep leaves finished units, rerun runs them again', async () => {
    ws.writePlan(plan())
    const first = await planNow()
    const planned = templateOf(cronJob())
    expect(first.jobTemplates).toEqual([{ cluster: 'local', source: `CronJob ${CRON_NAMESPACE}/${CRON_NAME}`, fingerprint: planned.fingerprint, content: planned.content }])
    expect(kube.requestsMatching((request) => request.resource === 'cronjobs')).toHaveLength(1)
    expect(planToJson(first).job_templates).toEqual([{ cluster: 'local', source: `CronJob ${CRON_NAMESPACE}/${CRON_NAME}`, fingerprint: planned.fingerprint, applied: null, changed: false, changes: [] }])

    const applied = await ws.apply()
    expect(applied.kind === 'applied' && applied.result).toMatchObject({ failed: 0 })
    expect(kube.jobs(CRON_NAMESPACE).map((job) => job.spec.template.spec.containers[0].image)).toEqual([OLD_IMAGE, OLD_IMAGE])
    const unchanged = await planNow()
    expect(unchanged.summary.hasChanges).toBe(false)
    expect(unchanged.jobTemplates?.[0]).toMatchObject({ applied: planned.fingerprint })
    expect(unchanged.warnings.filter((warning) => warning.code === 'job-template-changed')).toEqual([])

    deployNewImage()
    const kept = await planNow()
    const now = templateOf(cronJob())
    expect(kept.jobTemplates?.[0]).toMatchObject({ fingerprint: now.fingerprint, applied: planned.fingerprint, changes: [imageChange] })
    expect(kept.summary.hasChanges).toBe(false)
    expect(kept.warnings.filter((warning) => warning.code === 'job-template-changed')).toEqual([
      {
        severity: 'warning',
        code: 'job-template-changed',
        address: 'local',
        message: `the job template of CronJob ${CRON_NAMESPACE}/${CRON_NAME} changed since the last apply: ${imageChange}; finished units keep what the old template made; new jobs use the new one (set job.kubernetes.onTemplateChange: rerun to run them again)`,
      },
    ])
    expect(planToJson(kept).job_templates?.[0]).toMatchObject({ changed: true, changes: [imageChange] })
    const human = renderPlanHuman(kept, { color: false, showSql: false })
    expect(human).toContain(imageChange)

    ws.writePlan(plan('rerun'))
    const rerun = await planNow()
    expect(rerun.units.map((unit) => [unit.action, unit.reasons])).toEqual([
      ['replace', ['job.template changed']],
      ['replace', ['job.template changed']],
    ])
    const rerunApplied = await ws.apply()
    expect(rerunApplied.kind === 'applied' && rerunApplied.result).toMatchObject({ failed: 0 })
    expect(kube.jobs(CRON_NAMESPACE).filter((job) => job.spec.template.spec.containers[0].image === NEW_IMAGE)).toHaveLength(2)
    expect((await planNow()).summary.hasChanges).toBe(false)
  })

  it('a saved plan refuses to apply when the template changed since it was saved, naming what changed', async () => {
    ws.writePlan(plan())
    const spec = await ws.load()
    const saved = parseSavedPlan(serializeSavedPlan(await planNow()), 'relabel.bfplan')
    expect(saved.jobTemplates?.[0]?.fingerprint).toBe(templateOf(cronJob()).fingerprint)
    deployNewImage()
    const engine = await openEngine(spec)
    try {
      const applying = applyPlan(testApplyRequest(spec, engine.deps, { kind: 'saved', plan: saved }))
      await expect(applying).rejects.toThrow(
        `Saved plan is stale: the job template of CronJob ${CRON_NAMESPACE}/${CRON_NAME} on local changed since the plan was saved (${imageChange}). Run bf plan again.`,
      )
    } finally {
      await engine.close()
    }
    expect(kube.jobs(CRON_NAMESPACE)).toEqual([])
  })

  it('apply checks the template again before the first Job of each cluster and makes no Job from one changed after the plan was reviewed', async () => {
    ws.writePlan(plan())
    const spec = await ws.load()
    const engine = await openEngine(spec)
    let outcome: Awaited<ReturnType<typeof applyPlan>>
    const errors: string[] = []
    try {
      outcome = await applyPlan({
        spec,
        deps: engine.deps,
        source: { kind: 'plan', options: ALL },
        executor: FAST,
        stop: { stopping: new AbortController().signal, aborted: new AbortController().signal },
        lockTimeoutMs: 0,
        // The template changes while the plan is on screen.
        review: async () => {
          deployNewImage()
          return true
        },
        listeners: [(event) => void (event.type === 'attempt_done' && event.error !== undefined && errors.push(event.error))],
        onWarning: () => {},
      })
    } finally {
      await engine.close()
    }
    expect(outcome.kind).toBe('applied')
    if (outcome.kind !== 'applied') return
    expect(outcome.result.failed).toBeGreaterThan(0)
    expect(kube.jobs(CRON_NAMESPACE)).toEqual([])
    expect(errors).toContain(
      `the job template of CronJob ${CRON_NAMESPACE}/${CRON_NAME} changed since the plan was made (${imageChange}): bf makes no Job from a template nobody reviewed — run bf plan again`,
    )
  })

  it('a template bf cannot read is a warning with keep, and an error with rerun', async () => {
    kube.forbid('get', 'cronjobs')
    ws.writePlan(plan())
    const kept = await planNow()
    expect(kept.jobTemplates).toEqual([])
    expect(kept.warnings.filter((warning) => warning.code === 'job-template')).toEqual([
      expect.objectContaining({ severity: 'warning', address: 'local', message: expect.stringMatching(/^cannot read the job template: .*cronjobs.*; apply reads it before the cluster's first job$/) }),
    ])
    ws.writePlan(plan('rerun'))
    const rerun = await planNow()
    expect(rerun.warnings.filter((warning) => warning.code === 'job-template')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringMatching(/with onTemplateChange: rerun bf cannot tell which finished units to run again$/) }),
    ])
  })
})
