import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { applyPlan } from '../../src/engine/apply.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { computePlan } from '../../src/engine/planner.js'
import type { PlanOptions } from '../../src/engine/planner.js'
import { parseSavedPlan, serializeSavedPlan } from '../../src/saved-plan/format.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { renderPlanJson } from '../../src/views/plan-json.js'
import { renderPlanMarkdown } from '../../src/views/plan-markdown.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { countingChdb } from '../support/counting-chdb.js'
import type { SentQueries } from '../support/counting-chdb.js'
import { ALL, openWorkspace, relabelPlan, testApplyRequest } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

const outputSchema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8')) as object
const validateOutput = new Ajv2020({ allErrors: true, strict: true }).compile(outputSchema)

let ws: EmbeddedWorkspace
const sent: SentQueries = { texts: [] }

/** A copy of the expected table holding these customers' rows: each test discovers from a table of its own. */
async function expectedTable(name: string, customers: string[]): Promise<void> {
  await ws.sql.command({ query: `CREATE TABLE ${name} AS conversation_d` })
  await ws.sql.command({ query: `INSERT INTO ${name} SELECT * FROM conversation_d WHERE customer_id IN {customers:Array(String)}`, query_params: { customers } })
}

/** `rows` rows of `from` on `day` under the id `as`: a customer of the test's making. */
async function copyRows(table: string, from: string, as: string, day: string, rows: number): Promise<void> {
  await ws.sql.command({
    query: `INSERT INTO ${table} SELECT concat(conversation_id, {as:String}), {as:String}, profile_id, agent_user_id, ended_at FROM conversation_d WHERE customer_id = {from:String} AND toDate(ended_at) = {day:String} LIMIT {rows:UInt32}`,
    query_params: { as, from, day, rows },
  })
}

/** The test plan (days 1 and 2), named `name` (its own state), discovering with `customers` and counting against `expected`. */
function writeDiscoveryPlan(name: string, customers: string, options: { expected?: string; extra?: string; clusterWindow?: string } = {}): void {
  const text = relabelPlan({ customers: ['PLACEHOLDER'], end: '2026-01-03T00:00:00Z', ...(options.extra ? { extra: options.extra } : {}) })
    .replace('name: relabel-test', `name: ${name}`)
    .replace('expected:\n  table: conversation_d', `expected:\n  table: ${options.expected ?? 'conversation_d'}`)
    .replace('    customers: ["PLACEHOLDER"]', `${options.clusterWindow ? `    window: ${options.clusterWindow}\n` : ''}    customers: ${customers}`)
  ws.writePlan(text)
}

/** Plans through the real engine, every warehouse query written down in `sent`. */
async function plan(options: Partial<PlanOptions> = {}): Promise<ComputedPlan> {
  const spec = await ws.load()
  const engine = await openEngine(spec)
  const counted = openWarehouse(spec.clusters[0]!, { importer: countingChdb(sent) })
  sent.texts.length = 0
  try {
    return await computePlan(spec, { ...engine.deps, warehouse: () => counted }, { ...ALL, ...options })
  } finally {
    await (await counted).close()
    await engine.close()
  }
}

/** Applies a saved plan as `bf apply SAVED` does: no re-planning. */
async function applySaved(saved: ComputedPlan): Promise<void> {
  const spec = await ws.load()
  const engine = await openEngine(spec)
  try {
    const outcome = await applyPlan(testApplyRequest(spec, engine.deps, { kind: 'saved', plan: saved }))
    expect(outcome.kind === 'applied' && outcome.result.failed).toBe(0)
  } finally {
    await engine.close()
  }
}

const customersOf = (plan: ComputedPlan): string[] => [...new Set(plan.units.map((unit) => unit.customer))]
const actions = (plan: ComputedPlan): Record<string, string> => Object.fromEntries(plan.units.map((unit) => [unit.address, unit.action]))
const discoveryQueries = (): string[] => sent.texts.filter((text) => text.includes('bf_customer, count() AS bf_rows') || text.includes('FROM exp_query'))

beforeAll(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 3, days: 2, conversationsPerDay: 6, start: '2026-01-01T00:00:00Z' })
}, 60_000)
afterAll(async () => ws?.close())

describe('discovered customers on the embedded engine', () => {
  it('finds the customers of the expected or target table over the window, with minRows and exclude, in one query per cluster', async () => {
    await expectedTable('exp_counts', ['alaska-air', 'acme', 'globex'])
    await copyRows('exp_counts', 'acme', 'tiny', '2026-01-01', 2)
    // Rows outside the plan's window do not count.
    await ws.sql.command({ query: "INSERT INTO exp_counts SELECT conversation_id, 'later', profile_id, agent_user_id, ended_at + INTERVAL 5 DAY FROM conversation_d WHERE customer_id = 'acme'" })

    writeDiscoveryPlan('counts', '{ from: expected, minRows: 3, exclude: [globex] }', { expected: 'exp_counts', extra: 'rollout:\n  canary: [acme, nobody]\n' })
    const found = await plan()
    expect(found.customers).toEqual([{ cluster: 'local', source: 'data', found: 2, new: ['acme', 'alaska-air'], gone: [] }])
    expect(customersOf(found)).toEqual(['acme', 'alaska-air'])
    expect(found.summary).toMatchObject({ create: 4, forget: 0 })
    expect(discoveryQueries()).toHaveLength(1)
    expect(discoveryQueries()[0]).toMatch(/GROUP BY bf_customer\nHAVING bf_rows >= \{min_rows:UInt64\}/)
    // The canary may name a discovered customer; one no cluster has is a warning at refresh.
    expect(found.warnings.filter((warning) => warning.code === 'unknown-customer').map((warning) => warning.message)).toEqual(['rollout.canary names "nobody", which no cluster has: it has no effect'])
    expect(found.steps.find((step) => step.address === 'local/alaska-air/delete')?.dependsOn).toContain('local/acme/2026-01-01/verify')

    writeDiscoveryPlan('counts', '{ from: expected }', { expected: 'exp_counts' })
    expect(customersOf(await plan())).toEqual(['acme', 'alaska-air', 'globex', 'tiny'])

    writeDiscoveryPlan('counts', '{ from: target, exclude: [acme] }', { expected: 'exp_counts' })
    expect(customersOf(await plan())).toEqual(['alaska-air', 'globex'])
  })

  it('runs the plan\'s query with {start}, {end} and {cluster} bound, gives windows their own range, and refuses a query of the wrong shape', async () => {
    await expectedTable('exp_query', ['alaska-air', 'acme'])
    // `early` has rows on day 1 only, before the cluster's window.
    await copyRows('exp_query', 'acme', 'early', '2026-01-01', 3)
    const query = "SELECT DISTINCT customer_id FROM exp_query WHERE ended_at >= {start:DateTime} AND ended_at < {end:DateTime} AND {cluster:String} = 'local'"
    writeDiscoveryPlan('query', `{ query: ${JSON.stringify(query)}, windows: { acme: { start: 2026-01-01T00:00:00Z } } }`, { clusterWindow: '{ start: 2026-01-02T00:00:00Z }' })
    const found = await plan()
    expect(found.customers).toEqual([{ cluster: 'local', source: 'data', found: 2, new: ['acme', 'alaska-air'], gone: [] }])
    expect(Object.keys(actions(found))).toEqual(['local/acme/2026-01-01', 'local/acme/2026-01-02', 'local/alaska-air/2026-01-02'])
    expect(discoveryQueries()).toHaveLength(1)

    writeDiscoveryPlan('query', '{ query: "SELECT 1 AS n, \'acme\' AS id" }')
    await expect(plan()).rejects.toThrow(/^cluster local \(.*\): customers\.query must return one String column of customer ids; it returns n UInt8, id String$/)
  })

  it('plans a customer that appears later alone, forgets one that is gone with a warning, and says so in every view', async () => {
    await expectedTable('exp_life', ['alaska-air', 'acme'])
    writeDiscoveryPlan('life', '{ from: expected }', { expected: 'exp_life' })
    const first = await ws.apply()
    expect(first.kind === 'applied' && first.result.failed).toBe(0)

    await ws.sql.command({ query: "INSERT INTO exp_life SELECT * FROM conversation_d WHERE customer_id = 'globex'" })
    await ws.sql.command({ query: "ALTER TABLE exp_life DELETE WHERE customer_id = 'acme'", clickhouse_settings: { mutations_sync: '1' } })
    const changed = await plan()
    expect(changed.customers).toEqual([{ cluster: 'local', source: 'data', found: 2, new: ['globex'], gone: ['acme'] }])
    expect(actions(changed)).toEqual({
      'local/alaska-air/2026-01-01': 'no-op',
      'local/alaska-air/2026-01-02': 'no-op',
      'local/globex/2026-01-01': 'create',
      'local/globex/2026-01-02': 'create',
      'local/acme/2026-01-01': 'forget',
      'local/acme/2026-01-02': 'forget',
    })
    expect(changed.units.find((unit) => unit.address === 'local/acme/2026-01-01')?.reasons).toEqual(['no longer found in the data'])
    expect(changed.forgetSteps).toContain('local/acme/delete')
    expect(changed.steps.filter((step) => step.kind === 'delete').map((step) => step.address)).toEqual(['local/globex/delete'])
    const gone = changed.warnings.find((warning) => warning.code === 'customers-gone')
    expect(gone).toMatchObject({ address: 'local', message: 'customer "acme" is no longer found: its steps are forgotten, like a customer removed from a list' })

    const line = 'Cluster local: 2 customers found (1 new: globex; 1 gone: acme)'
    expect(renderPlanHuman(changed, { color: false, showSql: false })).toContain(`\n${line}\n`)
    expect(renderPlanMarkdown(changed)).toContain(`\n- ${line}\n`)
    const json = JSON.parse(renderPlanJson(changed)) as { customers: unknown }
    expect(validateOutput(json), JSON.stringify(validateOutput.errors)).toBe(true)
    expect(json.customers).toEqual([{ cluster: 'local', found: 2, new: ['globex'], gone: ['acme'], source: 'data' }])

    // --target names a discovered customer; one discovery did not find is refused.
    expect(Object.keys(actions(await plan({ selection: { targets: ['local/globex'], excludes: [] } })))).toEqual(['local/globex/2026-01-01', 'local/globex/2026-01-02'])
    await expect(plan({ selection: { targets: ['local/initech'], excludes: [] } })).rejects.toThrow(/local\/initech: no cluster, customer or unit/)

    // Without refresh, the customers are those of the state: no query, and a note saying so.
    const stateOnly = await plan({ refresh: false })
    expect(sent.texts).toEqual([])
    expect(stateOnly.customers).toEqual([{ cluster: 'local', source: 'state', found: 2, new: [], gone: [] }])
    expect(actions(stateOnly)).toEqual({ 'local/acme/2026-01-01': 'no-op', 'local/acme/2026-01-02': 'no-op', 'local/alaska-air/2026-01-01': 'no-op', 'local/alaska-air/2026-01-02': 'no-op' })
    expect(stateOnly.warnings.map((warning) => warning.code)).toContain('customers-from-state')
    expect(renderPlanHuman(stateOnly, { color: false, showSql: false })).toContain('Cluster local: 2 customers from the state, not discovered again (--refresh=false)')
  })

  it('applies a saved plan with the customers it showed, though another has appeared since', async () => {
    await expectedTable('exp_saved', ['alaska-air'])
    writeDiscoveryPlan('saved', '{ from: expected }', { expected: 'exp_saved' })
    const saved = parseSavedPlan(serializeSavedPlan(await plan()), 'saved.plan')
    expect(saved.customers).toEqual([{ cluster: 'local', source: 'data', found: 1, new: ['alaska-air'], gone: [] }])

    await ws.sql.command({ query: "INSERT INTO exp_saved SELECT * FROM conversation_d WHERE customer_id = 'acme'" })
    await applySaved(saved)
    const next = await plan()
    expect(next.customers).toEqual([{ cluster: 'local', source: 'data', found: 2, new: ['acme'], gone: [] }])
    expect(actions(next)).toEqual({
      'local/acme/2026-01-01': 'create',
      'local/acme/2026-01-02': 'create',
      'local/alaska-air/2026-01-01': 'no-op',
      'local/alaska-air/2026-01-02': 'no-op',
    })
  })

  it('keeps a customer bf has worked on when discovering from the target, though its rows are deleted and its jobs have not run again', async () => {
    writeDiscoveryPlan('kept', '{ from: target }')
    const first = await ws.apply()
    expect(first.kind === 'applied' && first.result.failed).toBe(0)
    // What an apply interrupted between a customer's delete and its jobs leaves in the target.
    await ws.sql.command({ query: "ALTER TABLE conversation_with_labels DELETE WHERE customer_id = 'acme'", clickhouse_settings: { mutations_sync: '1' } })
    const next = await plan()
    expect(next.customers).toEqual([{ cluster: 'local', source: 'data', found: 3, new: [], gone: [] }])
    expect(next.units.filter((unit) => unit.customer === 'acme').map((unit) => unit.action)).toEqual(['replace', 'replace'])
  })
})
