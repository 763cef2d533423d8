import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { renderPlanJson } from '../../src/views/plan-json.js'
import type { PlanJson } from '../../src/views/plan-json.js'
import { renderPlanMarkdown } from '../../src/views/plan-markdown.js'
import { parseSavedPlan, serializeSavedPlan } from '../../src/saved-plan/format.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

/**
 * Plans made by the real planner for each kind of change, rendered by every view: the
 * views, the saved plan and apply must tell the same story, because they read one summary.
 */

const CUSTOMERS = ['alaska-air', 'acme']
let ws: EmbeddedWorkspace

beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 2, days: 3, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
})
afterEach(async () => ws.close())

interface Views {
  human: string
  humanLast: string
  json: PlanJson
  markdown: string
  markdownSummary: string
  saved: ComputedPlan
}

function views(plan: ComputedPlan): Views {
  const human = renderPlanHuman(plan, { color: false, showSql: false })
  const markdown = renderPlanMarkdown(plan)
  return {
    human,
    humanLast: human.trimEnd().split('\n').at(-1) ?? '',
    json: JSON.parse(renderPlanJson(plan)) as PlanJson,
    markdown,
    markdownSummary: markdown.split('\n')[2] ?? '',
    saved: parseSavedPlan(serializeSavedPlan(plan), 'plan.bfplan'),
  }
}

/** Every view shows the same counts: the summary line, JSON's summary and the saved plan's. */
function expectViewsAgree(plan: ComputedPlan): Views {
  const shown = views(plan)
  const { summary } = plan
  expect(shown.json.summary).toEqual({
    create: summary.create,
    replace: summary.replace,
    no_op: summary.noOp,
    forget: summary.forget,
    steps: summary.steps,
    rows_to_delete: summary.rowsToDelete,
    forget_steps: summary.forgetSteps,
    ...(summary.rewrite ? { rewrite: summary.rewrite } : {}),
  })
  expect(shown.json.forget_steps).toEqual(plan.forgetSteps)
  expect(shown.json.forget_steps).toHaveLength(summary.forgetSteps)
  expect(shown.saved.summary).toEqual(summary)
  expect(shown.saved.forgetSteps).toEqual(plan.forgetSteps)
  expect(shown.markdownSummary).toBe(`**${shown.humanLast.replace('~', '\\~')}**`)
  const noChanges = 'No changes. Every unit is backfilled and verified.'
  if (summary.hasChanges) expect(shown.humanLast).toMatch(/^Plan: /)
  else expect(shown.humanLast).toBe(noChanges)
  return shown
}

describe('one plan summary, read by every view', () => {
  it('a fresh state: every unit to backfill', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS }))
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ create: 6, replace: 0, noOp: 0, forget: 0, forgetSteps: 0, hasChanges: true })
    const shown = expectViewsAgree(plan)
    expect(shown.humanLast).toMatch(/^Plan: 6 to backfill, 0 to re-run, 0 unchanged, 0 to forget — 2 deletes \(~[\d,]+ rows; [\d,]+ parts, [\d.]+ KB rewritten\), 6 jobs\.$/)
  })

  it('after an apply: no changes anywhere, and apply does nothing', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS }))
    expect((await ws.apply()).kind).toBe('applied')
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ noOp: 6, forgetSteps: 0, hasChanges: false, steps: {} })
    expectViewsAgree(plan)
    expect((await ws.apply()).kind).toBe('no-changes')
  })

  it('changed job inputs: every unit re-runs', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS }))
    await ws.apply()
    ws.writePlan(relabelPlan({ customers: CUSTOMERS }).replace("'assisted'", "'assisted-v2'"))
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ create: 0, replace: 6, noOp: 0, hasChanges: true })
    const shown = expectViewsAgree(plan)
    expect(shown.human).toContain('-/+ acme 2026-01-01 … 2026-01-03 (3 days)')
  })

  it('a customer removed: its units and all their steps are forgotten', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS }))
    await ws.apply()
    ws.writePlan(relabelPlan({ customers: ['alaska-air'] }))
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ noOp: 3, forget: 3, hasChanges: true })
    // Its delete and await, and each unit's job and verify.
    expect(plan.summary.forgetSteps).toBe(2 + 3 * 2)
    const shown = expectViewsAgree(plan)
    expect(shown.human).toContain('  - acme 2026-01-01 … 2026-01-03 (3 days)')
    expect(shown.human).toContain('  - acme 1 delete, 1 await-mutation steps no longer planned')
    expect(shown.humanLast).toContain(', 8 step records to forget.')
  })

  it('per-batch deletes no longer planned after delete: false: shown everywhere, applied, then no changes', async () => {
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'batch' }))
    expect((await ws.apply()).kind).toBe('applied')
    ws.writePlan(relabelPlan({ customers: CUSTOMERS, per: 'batch' }).replace(/delete:\n {2}per: batch\n {2}timeout: 1m\n/, 'delete: false\n'))
    const plan = await ws.plan()
    expect(plan.summary).toMatchObject({ create: 0, replace: 0, noOp: 6, forget: 0, forgetSteps: 12, hasChanges: true, steps: {} })
    expect(plan.summary.clusters).toEqual([
      {
        cluster: 'local',
        create: 0,
        replace: 0,
        noOp: 6,
        forget: 0,
        forgetSteps: 12,
        unplannedSteps: 12,
        unplanned: [
          { customer: 'acme', kinds: [{ kind: 'delete', count: 3 }, { kind: 'await-mutation', count: 3 }], first: 'local/acme/2026-01-01/await-mutation', last: 'local/acme/2026-01-03/delete' },
          { customer: 'alaska-air', kinds: [{ kind: 'delete', count: 3 }, { kind: 'await-mutation', count: 3 }], first: 'local/alaska-air/2026-01-01/await-mutation', last: 'local/alaska-air/2026-01-03/delete' },
        ],
      },
    ])
    const shown = expectViewsAgree(plan)
    expect(shown.humanLast).toBe('Plan: 0 to backfill, 0 to re-run, 6 unchanged, 0 to forget — 0 deletes, 0 jobs, 12 step records to forget.')
    expect(shown.human).toContain('Cluster local: 6 unchanged, 12 steps no longer planned')
    expect(shown.human).toContain('  - alaska-air 3 delete, 3 await-mutation steps no longer planned')
    expect(shown.markdown).toContain('- alaska-air 3 delete, 3 await-mutation steps no longer planned')

    const applied = await ws.apply()
    expect(applied.kind).toBe('applied')
    if (applied.kind === 'applied') expect(applied.result).toMatchObject({ succeeded: 0, failed: 0, skipped: 0, forgotten: 12 })
    const after = await ws.plan()
    expect(after.summary).toMatchObject({ noOp: 6, forgetSteps: 0, hasChanges: false })
    expect(views(after).humanLast).toBe('No changes. Every unit is backfilled and verified.')
  })
})
