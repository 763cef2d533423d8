import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clusterWarnings } from '../../src/engine/plan-warnings.js'
import { columnsInKey } from '../../src/engine/target-problems.js'
import { loadPlanText } from '../../src/plan/load.js'
import type { LiveFigures, TableFacts } from '../../src/warehouse/warehouse.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

let ws: EmbeddedWorkspace

const codes = (warnings: { code: string }[]): string[] => warnings.map((warning) => warning.code).sort()

describe('plan warnings from live figures', () => {
  // Each test has a workspace of its own: fresh data, no state, no mutation left by another test.
  beforeEach(async () => {
    ws = openWorkspace()
    await ws.seed({ customers: 2, days: 2, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
  })
  afterEach(async () => ws.close())

  it('warns about a missing read table', async () => {
    ws.writePlan(
      relabelPlan({ customers: ['alaska-air', 'acme'] }).replace('keyColumns: [conversation_id]\nexpected', 'keyColumns: [conversation_id]\n  readTable: conversation_with_labels_d\nexpected'),
    )
    const plan = await ws.plan()
    expect(codes(plan.warnings)).toEqual(['mutable-sort-key', 'read-table-missing', 'shared-parts'])
    const run = await ws.apply()
    expect(run.kind === 'applied' && run.result.failures.map((failure) => failure.address)).toEqual(['local/check'])
    expect(run.kind === 'applied' && run.result.failures[0]?.error).toContain('read table default.conversation_with_labels_d does not exist')
  })

  it('warns about large deletes and pending mutations, and the check refuses them', async () => {
    // A mutation that can never finish stays pending, as a stuck one does on a real cluster.
    await ws.sql.command({ query: 'ALTER TABLE conversation_with_labels UPDATE label = toString(throwIf(1)) WHERE 1', clickhouse_settings: { mutations_sync: '0' } })
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], extra: 'guards:\n  maxPendingMutations: 0\n  maxDeleteRows: 10\n' }))
    const plan = await ws.plan()
    expect(codes(plan.warnings)).toEqual(['large-delete', 'large-delete', 'mutable-sort-key', 'pending-mutations', 'shared-parts'])
    expect(plan.warnings.find((warning) => warning.code === 'large-delete')?.message).toMatch(/apply refuses unless --allow-large-delete/)
    const run = await ws.apply()
    const error = run.kind === 'applied' ? run.result.failures[0]?.error : undefined
    expect(error).toMatch(/1 mutations are pending on default\.conversation_with_labels/)
    expect(error).toMatch(/local\/alaska-air\/delete deletes ~\d+ rows, above guards\.maxDeleteRows \(10\); rerun with --allow-large-delete/)
    expect(run.kind === 'applied' && run.result.skipped).toBeGreaterThan(0)
  })

  it('re-runs a unit whose keys fall below the ratio, and one whose verify failed', async () => {
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], end: '2026-01-03T00:00:00Z' }))
    const first = await ws.apply()
    expect(first.kind === 'applied' && first.result.failed).toBe(0)
    await ws.sql.command({
      query: "ALTER TABLE conversation_with_labels DELETE WHERE customer_id = 'acme' AND toDate(conversation_end_time) = '2026-01-02' AND cityHash64(conversation_id) % 2 = 0",
      clickhouse_settings: { mutations_sync: '2' },
    })
    const plan = await ws.plan()
    const unit = plan.units.find((candidate) => candidate.address === 'local/acme/2026-01-02')
    expect(unit?.action).toBe('replace')
    expect(unit?.reasons[0]).toMatch(/^drift: ratio 0\.\d{3} \(\d+ keys \/ 20 expected\) outside \[0\.99, 1\.01\]$/)

    const failingCheck = 'verify:\n  duplicates: true\n  checks:\n    - name: one-label-only\n      customers: [acme]\n      sql: SELECT uniqExact(label) + 1 FROM conversation_with_labels WHERE customer_id = {customer:String}\n      expect: { equals: 1 }\n'
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], end: '2026-01-03T00:00:00Z' }).replace(/verify:\n(?: {2}.*\n)+/, failingCheck))
    const checked = await ws.apply()
    expect(checked.kind === 'applied' && checked.result.failures.map((failure) => failure.error)).toEqual([
      'one-label-only: saw 2, expected = 1',
      'one-label-only: saw 2, expected = 1',
    ])
    const after = await ws.plan()
    expect(after.units.find((candidate) => candidate.address === 'local/acme/2026-01-01')?.reasons).toEqual(['verify failed: one-label-only: saw 2, expected = 1'])
    expect(after.units.find((candidate) => candidate.address === 'local/alaska-air/2026-01-01')?.action).toBe('no-op')
  })
})

describe('warnings that need a cluster', () => {
  const spec = loadPlanText(relabelPlan({ customers: ['acme'], kind: 'command', command: ['true'] }), 'plan.yaml').spec
  const columns = [
    { name: 'conversation_id', type: 'String' },
    { name: 'customer_id', type: 'LowCardinality(String)' },
    { name: 'conversation_end_time', type: 'DateTime' },
  ]
  const facts = (engine: string): TableFacts => ({ database: 'default', table: 'conversation_with_labels', engine, sortingKey: 'conversation_id, customer_id', partitionKey: '', columns })
  const live = (engine: string): LiveFigures => ({ unit: () => ({ rows: 0, keys: 0 }), pendingMutations: 0, target: facts(engine), readTable: facts(engine), expectedTable: facts('MergeTree'), queries: 4 })
  const cluster = spec.clusters[0]
  if (!cluster) throw new Error('plan has no cluster')

  it('warns that a replicated table may drop re-inserted blocks of jobs bf does not control', () => {
    expect(codes(clusterWarnings(spec, cluster, live('ReplicatedReplacingMergeTree'), []))).toEqual(['replicated-dedup'])
  })

  it('refuses a Distributed target as an error', () => {
    const found = clusterWarnings(spec, cluster, live('Distributed'), [])
    expect(found.find((warning) => warning.code === 'distributed-target')?.severity).toBe('error')
  })

  it('refuses a target without the columns the plan names, as the check step does', () => {
    const found = clusterWarnings(spec, cluster, { ...live('MergeTree'), target: { ...facts('MergeTree'), columns: columns.slice(0, 2) } }, [])
    expect(found.filter((warning) => warning.severity === 'error').map((warning) => warning.message)).toEqual([
      'default.conversation_with_labels has no column conversation_end_time (check target.timeColumn, target.customerColumn and target.keyColumns)',
    ])
  })

  it('reads the columns of a sorting key expression', () => {
    expect(columnsInKey('toStartOfHour(conversation_end_time), agent_user_id, cityHash64(a, b)')).toEqual(['conversation_end_time', 'agent_user_id', 'a', 'b'])
  })
})
