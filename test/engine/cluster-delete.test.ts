import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { ComputedPlan, PlannedStep, RewriteEstimate } from '../../src/engine/plan-model.js'
import { buildReport } from '../../src/engine/report/build-report.js'
import { quickstartCustomerIds } from '../../src/quickstart/index.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { planToJson, renderPlanJson } from '../../src/views/plan-json.js'
import { renderPlanMarkdown } from '../../src/views/plan-markdown.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

/**
 * Deletes per cluster against per customer on the embedded engine, on a target whose
 * ORDER BY starts with the hour and whose parts each hold every customer of one day (one
 * partition a day): the plan's rewrite estimate is checked against the parts the mutations
 * really rewrote, found by comparing each part's checksum before and after (a mutation
 * gives every part its version, but only the parts it rewrote get new contents).
 */

const CUSTOMERS = quickstartCustomerIds(4)
const DAYS = 4
/** The plan covers the first 3 days: the 4th day's part holds no row a delete removes. */
const WINDOW_DAYS = 3

let ws: EmbeddedWorkspace

/** Quickstart data, with the target remade to hold one part per day, each with every customer. */
async function seedDailyParts(): Promise<void> {
  await ws.seed({ customers: CUSTOMERS.length, days: DAYS, conversationsPerDay: 60, start: '2026-01-01T00:00:00Z' })
  const statements = [
    `CREATE TABLE labels_daily AS conversation_with_labels ENGINE = ReplacingMergeTree(labeled_at) PARTITION BY toDate(conversation_end_time)
     ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)`,
    'INSERT INTO labels_daily SELECT * FROM conversation_with_labels',
    'DROP TABLE conversation_with_labels',
    'RENAME TABLE labels_daily TO conversation_with_labels',
  ]
  for (const query of statements) await ws.sql.command({ query })
}

interface Part {
  rows: number
  bytes: number
  hash: string
}

/** Active parts of the target by their block range (the name without the mutation version). */
async function activeParts(): Promise<Map<string, Part>> {
  const rows = await ws.rows<{ id: string; rows: string | number; bytes: string | number; hash: string }>(
    `SELECT concat(partition_id, '_', toString(min_block_number), '_', toString(max_block_number), '_', toString(level)) AS id,
            rows, bytes_on_disk AS bytes, hash_of_all_files AS hash
     FROM system.parts WHERE database = currentDatabase() AND table = 'conversation_with_labels' AND active`,
  )
  return new Map(rows.map((row) => [row.id, { rows: Number(row.rows), bytes: Number(row.bytes), hash: row.hash }]))
}

/** Runs a planned delete's own statement and parameters, waiting for the mutation; returns the parts it rewrote, as they were before. */
async function runDelete(step: PlannedStep): Promise<RewriteEstimate> {
  const before = await activeParts()
  const { sql, params, settings } = step.inputs as { sql: string; params: Record<string, unknown>; settings: Record<string, unknown> }
  await ws.sql.command({ query: sql, query_params: { ...params, tag: 'bf:test' }, clickhouse_settings: { ...settings, mutations_sync: '2' } })
  const after = await activeParts()
  const rewritten = { parts: 0, rows: 0, bytes: 0 }
  for (const [id, part] of before) {
    if (after.get(id)?.hash === part.hash) continue
    rewritten.parts++
    rewritten.rows += part.rows
    rewritten.bytes += part.bytes
  }
  return rewritten
}

const deletesOf = (plan: ComputedPlan): PlannedStep[] => plan.steps.filter((step) => step.kind === 'delete')
const end = `2026-01-0${1 + WINDOW_DAYS}T00:00:00Z`

beforeAll(async () => {
  ws = openWorkspace()
  await seedDailyParts()
})
afterAll(async () => ws.close())

describe('the rewrite estimate', () => {
  it('per cluster: one delete of every customer, whose estimate is the parts its mutation rewrites, each once', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'cluster', end }))
    const plan = await ws.plan()
    const [remove, ...others] = deletesOf(plan)
    expect(others).toEqual([])
    expect(remove?.address).toBe('local/delete')
    expect(remove?.customers).toEqual(CUSTOMERS)
    expect(remove?.inputs.sql).toContain('`customer_id` IN {customers:Array(String)}')
    expect((remove?.inputs.params as Record<string, unknown>).customers).toEqual(CUSTOMERS)
    // One part per day of the window; the 4th day's part holds none of its rows.
    expect(remove?.rewrite?.parts).toBe(WINDOW_DAYS)
    expect(plan.summary.rewrite).toEqual(remove?.rewrite)
    expect(plan.warnings.map((warning) => warning.code)).not.toContain('shared-parts')

    const json = planToJson(plan)
    expect(json.steps.find((step) => step.kind === 'delete')).toMatchObject({ address: 'local/delete', customers: CUSTOMERS, rewrite: remove?.rewrite })
    expect(json.summary.rewrite).toEqual(remove?.rewrite)
    const schema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8')) as object
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)
    expect(validate(JSON.parse(renderPlanJson(plan))), JSON.stringify(validate.errors)).toBe(true)
    const human = renderPlanHuman(plan, { color: false, showSql: false })
    expect(human).toContain(`local/delete: 4 customers (alaska-air, acme, globex, …), 2026-01-01 – 2026-01-04, ~`)
    expect(human).toContain(`; 3 parts rewritten (${remove?.rewrite?.rows.toLocaleString('en-US')} rows,`)
    expect(renderPlanMarkdown(plan)).toContain('<details><summary>Deletes, and the parts of the target they rewrite</summary>')

    const rewritten = await runDelete(remove!)
    expect(rewritten).toEqual(remove?.rewrite)
  })

  it('per customer: every delete rewrites the same parts; the plan says how often, and what one per cluster would rewrite', async () => {
    await seedDailyParts()
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'customer', end }))
    const plan = await ws.plan()
    const deletes = deletesOf(plan)
    expect(deletes.map((step) => step.customers ?? [step.customer])).toEqual(CUSTOMERS.map((customer) => [customer]))
    expect(deletes.map((step) => step.rewrite?.parts)).toEqual(CUSTOMERS.map(() => WINDOW_DAYS))
    expect(plan.summary.rewrite?.parts).toBe(CUSTOMERS.length * WINDOW_DAYS)
    const hint = plan.warnings.find((warning) => warning.code === 'shared-parts')
    expect(hint?.message).toMatch(/^per customer: 3 parts rewritten 4 times = [\d.]+ KB; per cluster: [\d.]+ KB$/)
    expect(renderPlanHuman(plan, { color: false, showSql: false })).toContain('in all: 12 parts rewritten')

    // The first delete rewrites exactly what it was estimated to; each next one rewrites the same parts again.
    const measured: RewriteEstimate[] = []
    for (const step of deletes) measured.push(await runDelete(step))
    expect(measured[0]).toEqual(deletes[0]?.rewrite)
    expect(measured.map((figures) => figures.parts)).toEqual(CUSTOMERS.map(() => WINDOW_DAYS))
    const touched = deletes[0]!.rewrite!.bytes
    const ratio = measured.reduce((sum, figures) => sum + figures.bytes, 0) / touched
    expect(ratio).toBeGreaterThan(CUSTOMERS.length - 1)
  })
})

describe('applying deletes per cluster', () => {
  it('deletes for the canary first, then the others in chunks of maxCustomers, refused above maxRewriteBytes unless allowed', async () => {
    await seedDailyParts()
    const canary = CUSTOMERS[0]!
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'cluster', maxCustomers: 2, canary: [canary], end, extra: 'guards:\n  maxRewriteBytes: 1KB\n' }))
    const plan = await ws.plan()
    const deletes = deletesOf(plan)
    expect(deletes.map((step) => [step.address, step.customers ?? [step.customer]])).toEqual([
      [`local/delete`, CUSTOMERS.slice(1, 3)],
      [`local/delete-2`, CUSTOMERS.slice(3)],
      [`local/${canary}/delete`, [canary]],
    ])
    const byAddress = new Map(plan.steps.map((step) => [step.address, step]))
    const canaryVerifies = plan.steps.filter((step) => step.kind === 'verify' && step.customer === canary).map((step) => step.address)
    expect(byAddress.get('local/delete')?.dependsOn).toEqual(['local/check', ...canaryVerifies])
    expect(byAddress.get(`local/${CUSTOMERS[1]}/2026-01-01/job`)?.dependsOn).toEqual(['local/await-mutation'])
    expect(byAddress.get(`local/${CUSTOMERS[3]}/2026-01-01/job`)?.dependsOn).toEqual(['local/await-mutation-2'])
    expect(plan.warnings.filter((warning) => warning.code === 'large-rewrite').map((warning) => warning.address)).toEqual(['local/delete', 'local/delete-2', `local/${canary}/delete`])

    const refused = await ws.apply()
    expect(refused.kind === 'applied' && refused.result.failed).toBe(1)
    const check = refused.events.find((event) => event.type === 'step_done' && event.address === 'local/check')
    expect(check && 'error' in check ? check.error : '').toContain('local/delete rewrites')
    expect(refused.events.filter((event) => event.type === 'attempt_done' && event.kind === 'delete')).toEqual([])

    const applied = await ws.apply({}, { allowLargeDelete: true })
    expect(applied.kind === 'applied' && applied.result.failed).toBe(0)
    const order = applied.events.flatMap((event) => (event.type === 'attempt_done' && event.kind === 'delete' ? [event.address] : []))
    expect(order[0]).toBe(`local/${canary}/delete`)
    expect(order.slice(1).sort()).toEqual(['local/delete', 'local/delete-2'])
    const after = await ws.plan()
    expect(after.summary.hasChanges).toBe(false)
    const duplicates = await ws.rows<{ n: string }>('SELECT count() - uniqExact(conversation_id) AS n FROM conversation_with_labels FINAL WHERE conversation_end_time < {end:DateTime}', { end: Date.parse(end) / 1000 })
    expect(Number(duplicates[0]?.n)).toBe(0)

    // The report shows every customer the delete that covered it.
    const spec = await ws.load()
    const engine = await openEngine(spec)
    try {
      const report = await buildReport(spec, engine.deps, { refresh: false })
      const shown = new Map(report.clusters[0]!.deletes.map((entry) => [entry.customer, entry.deletes.map((remove) => [remove.address, remove.status])]))
      expect(shown.get(canary)).toEqual([[`local/${canary}/delete`, 'done']])
      expect(shown.get(CUSTOMERS[1]!)).toEqual([['local/delete', 'done']])
      expect(shown.get(CUSTOMERS[3]!)).toEqual([['local/delete-2', 'done']])
    } finally {
      await engine.close()
    }
  })

  it('resumes a stopped apply: a delete that ran is not sent again, one that did not keeps its address', async () => {
    await seedDailyParts()
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'cluster', maxCustomers: 2, end }))
    const first = await ws.plan()
    const planned = new Map(deletesOf(first).map((step) => [step.address, step]))
    expect([...planned.keys()]).toEqual(['local/delete', 'local/delete-2'])
    const stop = new AbortController()
    // Stopped as the first delete starts: it runs to its end, the other is not sent.
    const stopped = await ws.apply({}, { concurrency: 1 }, process.env, [(event) => (event.type === 'step_start' && /\/delete(-\d+)?$/.test(event.address) ? stop.abort() : undefined)], stop.signal)
    const deleted = (events: typeof stopped.events): string[] => events.flatMap((event) => (event.type === 'attempt_done' && event.kind === 'delete' && event.status === 'succeeded' ? [event.address] : []))
    const before = deleted(stopped.events)
    expect(before).toHaveLength(1)

    const resumed = deletesOf(await ws.plan())
    expect(resumed).toHaveLength(1)
    expect(before).not.toContain(resumed[0]?.address)
    expect(resumed[0]?.fingerprint).toBe(planned.get(resumed[0]?.address ?? '')?.fingerprint)
    const finished = await ws.apply()
    expect(finished.kind === 'applied' && finished.result.failed).toBe(0)
    expect([...before, ...deleted(finished.events)].sort()).toEqual(['local/delete', 'local/delete-2'])
    expect((await ws.plan()).summary.hasChanges).toBe(false)
  })
})
