import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'

const CUSTOMERS = ['alaska-air', 'acme', 'globex']
let ws: EmbeddedWorkspace

const actions = (plan: ComputedPlan): Record<string, string> => Object.fromEntries(plan.units.map((unit) => [unit.address, unit.action]))
const stepsOf = (plan: ComputedPlan, kind: string): string[] => plan.steps.filter((step) => step.kind === kind).map((step) => step.address)

/** The plan of three customers with alaska-air as canary, applied when `applied`. */
async function planned(options: { applied: boolean }): Promise<void> {
  ws.writePlan(relabelPlan({ customers: CUSTOMERS, canary: ['alaska-air'] }))
  if (!options.applied) return
  const run = await ws.apply()
  expect(run.kind === 'applied' && run.result.failed).toBe(0)
}

// Each test has a workspace of its own: fresh data, no state, no plan file.
beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 3, days: 3, conversationsPerDay: 40, start: '2026-01-01T00:00:00Z' })
})
afterEach(async () => ws.close())

describe('planning against the embedded engine', () => {
  it('plans every unit of a fresh state as a backfill, with live duplicates and the mutable sort key', async () => {
    await planned({ applied: false })
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ create: 9, replace: 0, noOp: 0, forget: 0, steps: { check: 1, delete: 3, 'await-mutation': 3, job: 9, verify: 9 } })
    const [truth] = await ws.rows<{ rows: string; stale: string }>(
      "SELECT count() AS rows, count() - uniqExact(conversation_id) AS stale FROM conversation_with_labels WHERE customer_id = 'acme' AND toDate(conversation_end_time) = '2026-01-02'",
    )
    const unit = plan.units.find((candidate) => candidate.address === 'local/acme/2026-01-02')
    expect(unit?.live?.rows).toBe(Number(truth?.rows))
    expect(unit?.live && unit.live.rows - unit.live.keys).toBe(Number(truth?.stale))
    expect(Number(truth?.stale)).toBeGreaterThan(0)
    const [total] = await ws.rows<{ rows: string }>("SELECT count() AS rows FROM conversation_with_labels WHERE customer_id = 'acme'")
    expect(plan.steps.find((step) => step.address === 'local/acme/delete')?.estimatedRows).toBe(Number(total?.rows))
    const sortKey = plan.warnings.find((warning) => warning.code === 'mutable-sort-key')
    expect(sortKey?.message).toContain('conversation_end_time (the time column), agent_user_id, profile_id')
    expect(plan.warnings.some((warning) => warning.severity === 'error')).toBe(false)
  })

  it('builds check → delete → await → job → verify, with the canary gating every other customer', async () => {
    await planned({ applied: false })
    const plan = await ws.plan()
    const step = (address: string) => plan.steps.find((candidate) => candidate.address === address)
    expect(step('local/alaska-air/delete')?.dependsOn).toEqual(['local/check'])
    expect(step('local/alaska-air/await-mutation')?.dependsOn).toEqual(['local/alaska-air/delete'])
    expect(step('local/alaska-air/2026-01-01/job')?.dependsOn).toEqual(['local/alaska-air/await-mutation'])
    expect(step('local/alaska-air/2026-01-01/verify')?.dependsOn).toEqual(['local/alaska-air/2026-01-01/job'])
    expect(step('local/acme/delete')?.dependsOn).toEqual([
      'local/check',
      'local/alaska-air/2026-01-01/verify',
      'local/alaska-air/2026-01-02/verify',
      'local/alaska-air/2026-01-03/verify',
    ])
  })

  it('plans nothing after an apply, and sees drift when a stale row comes back', async () => {
    await planned({ applied: false })
    const applied = await ws.apply()
    expect(applied.kind).toBe('applied')
    const clean = await ws.plan()
    expect(clean.summary).toMatchObject({ create: 0, replace: 0, noOp: 9 })
    expect(clean.steps).toEqual([])

    await ws.sql.command({
      query: `INSERT INTO conversation_with_labels SELECT conversation_id, customer_id, profile_id, 'stale-agent', conversation_end_time, label, labeled_at
              FROM conversation_with_labels WHERE customer_id = 'acme' AND toDate(conversation_end_time) = '2026-01-02' LIMIT 2`,
    })
    const drifted = await ws.plan()
    const unit = drifted.units.find((candidate) => candidate.address === 'local/acme/2026-01-02')
    expect(unit).toMatchObject({ action: 'replace', reasons: ['drift: 2 duplicate keys'] })
    // The delete covers the drifted day alone: the other days of acme hold the right rows.
    expect(drifted.units.find((candidate) => candidate.address === 'local/acme/2026-01-01')).toMatchObject({ action: 'no-op', reasons: [] })
    expect(unit?.deletedFirst).toBe(true)
    expect(drifted.units.filter((candidate) => candidate.customer === 'globex').every((candidate) => candidate.action === 'no-op')).toBe(true)
    expect(stepsOf(drifted, 'delete')).toEqual(['local/acme/delete'])
    const remove = drifted.steps.find((step) => step.kind === 'delete')
    expect(remove?.ranges).toEqual([{ start: Date.UTC(2026, 0, 2), end: Date.UTC(2026, 0, 3) }])
    expect(remove?.reasons).toEqual(['drift: 2 duplicate keys'])
    expect(remove?.inputs.params).toMatchObject({ customer: 'acme', start: Date.UTC(2026, 0, 2) / 1000, end: Date.UTC(2026, 0, 3) / 1000 })

    const onlyDrifted = await ws.plan({ select: 'drifted' })
    expect(Object.keys(actions(onlyDrifted)).sort()).toEqual(['local/acme/2026-01-02'])

    // A target inside the customer plans that day alone, its delete included.
    const oneDay = await ws.plan({ selection: { targets: ['local/acme/2026-01-02'], excludes: [] } })
    expect(stepsOf(oneDay, 'delete')).toEqual(['local/acme/delete'])
    expect(oneDay.units.map((candidate) => candidate.address)).toEqual(['local/acme/2026-01-02'])
    const targeted = await ws.plan({ selection: { targets: ['local/acme'], excludes: [] } })
    expect(targeted.units.every((candidate) => candidate.customer === 'acme')).toBe(true)
    const excluded = await ws.plan({ selection: { targets: [], excludes: ['local/acme'] } })
    expect(excluded.steps).toEqual([])

    const stateOnly = await ws.plan({ refresh: false })
    expect(stateOnly.refreshed).toBe(false)
    expect(stateOnly.units.every((candidate) => candidate.live === undefined && candidate.action === 'no-op')).toBe(true)

    await ws.apply({ selection: { targets: ['local/acme'], excludes: [] } })
    expect((await ws.plan()).steps).toEqual([])
  })

  it('touches only what changed: a longer window plans the new day alone, a new customer plans that customer alone', async () => {
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'] }))
    await ws.apply()
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme', 'globex'], end: '2026-01-05T00:00:00Z' }))
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ create: 6, replace: 0, noOp: 6 })
    expect(plan.units.filter((unit) => unit.action === 'create').map((unit) => unit.address)).toEqual([
      'local/alaska-air/2026-01-04',
      'local/acme/2026-01-04',
      'local/globex/2026-01-01',
      'local/globex/2026-01-02',
      'local/globex/2026-01-03',
      'local/globex/2026-01-04',
    ])
    const deletes = Object.fromEntries(plan.steps.filter((step) => step.kind === 'delete').map((step) => [step.address, step.ranges]))
    const day = (d: number) => Date.UTC(2026, 0, d)
    expect(deletes).toEqual({
      'local/alaska-air/delete': [{ start: day(4), end: day(5) }],
      'local/acme/delete': [{ start: day(4), end: day(5) }],
      'local/globex/delete': [{ start: day(1), end: day(5) }],
    })
    expect(plan.units.find((unit) => unit.address === 'local/acme/2026-01-04')?.reasons).toEqual(['new: the window of acme grew by 2026-01-04'])
    expect(plan.steps.find((step) => step.address === 'local/acme/delete')?.reasons).toEqual(['new: the window of acme grew by 2026-01-04'])
    expect(plan.units.find((unit) => unit.address === 'local/globex/2026-01-01')?.reasons).toEqual([])
  })

  it('re-runs units whose job inputs changed, with a diff of the inputs', async () => {
    await planned({ applied: true })
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, canary: ['alaska-air'] }).replace("'assisted'", "'assisted-v2'"))
    const plan = await ws.plan()
    expect(plan.summary.replace).toBe(9)
    const unit = plan.units.find((candidate) => candidate.address === 'local/globex/2026-01-03')
    expect(unit?.reasons).toEqual(['job.sql changed'])
    expect(unit?.inputsDiff).toMatch(/^- .*'assisted', toDateTime/m)
    expect(unit?.inputsDiff).toMatch(/^\+ .*'assisted-v2', toDateTime/m)
    expect(unit?.inputsDiff).not.toMatch(/^[-+] .*FROM conversation_d$/m)
  })

  it('forgets units that left the plan file, and refuses unknown targets', async () => {
    await planned({ applied: true })
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], canary: ['alaska-air'] }))
    const plan = await ws.plan()
    const forgotten = plan.units.filter((unit) => unit.action === 'forget').map((unit) => unit.address)
    expect(forgotten.sort()).toEqual(['local/globex/2026-01-01', 'local/globex/2026-01-02', 'local/globex/2026-01-03'])
    expect(plan.forgetSteps).toContain('local/globex/delete')
    await expect(ws.plan({ selection: { targets: ['local/initech'], excludes: [] } })).rejects.toThrow(/no cluster, customer or unit/)
  })

  it('chains batches of a customer when deletes run per batch, newest first with order backward', async () => {
    ws.writePlan(relabelPlan({ customers: ['acme'], per: 'batch', extra: 'rollout:\n  order: backward\n' }))
    const plan = await ws.plan()
    const step = (address: string) => plan.steps.find((candidate) => candidate.address === address)
    expect(step('local/acme/2026-01-03/delete')?.dependsOn).toEqual(['local/check'])
    expect(step('local/acme/2026-01-03/await-mutation')?.dependsOn).toEqual(['local/acme/2026-01-03/delete'])
    expect(step('local/acme/2026-01-02/delete')?.dependsOn).toEqual(['local/acme/2026-01-03/verify'])
    expect(step('local/acme/2026-01-01/delete')?.dependsOn).toEqual(['local/acme/2026-01-02/verify'])
  })
})
