import { describe, expect, it } from 'vitest'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { expectGolden } from './golden.js'
import { mixedPlan, noChangesPlan, referencePlan, subDayPlan } from './plans.js'

const hasAnsi = (text: string): boolean => text.includes('\u001b[')

describe('renderPlanHuman', () => {
  it('folds the reference plan into one range and lists only the symbols used', () => {
    const text = renderPlanHuman(referencePlan(), { color: false, showSql: false })
    expectGolden('plan-human/reference.txt', text)
    expect(text).toContain('  + alaska-air 2026-01-01 … 2026-02-18 (49 days)')
    expect(text).not.toContain('re-run\n')
    expect(hasAnsi(text)).toBe(false)
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 49 to backfill, 0 to re-run, 0 unchanged, 0 to forget — 1 delete (~123,456 rows), 49 jobs.')
  })

  it('colours symbols, diffs and warnings when asked', () => {
    const text = renderPlanHuman(mixedPlan(), { color: true, showSql: false })
    expectGolden('plan-human/mixed.color.txt', text)
    expect(hasAnsi(text)).toBe(true)
    expect(text).toContain('\u001b[32m+env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: "24h"\u001b[39m')
    expectGolden('plan-human/reference.color.txt', renderPlanHuman(referencePlan(), { color: true, showSql: false }))
  })

  it('breaks ranges on other reasons and unchanged units, and quotes awkward customer ids', () => {
    const text = renderPlanHuman(mixedPlan(), { color: false, showSql: false })
    expectGolden('plan-human/mixed.txt', text)
    expect(text).toContain('-/+ acme 2026-01-01 … 2026-01-02 (2 days)\n      # job.sql changed\n-/+ acme 2026-01-03\n')
    // A re-run with no delete of its rows is a re-run of its job, not a replacement.
    expect(text).toContain('  ~ hooli 2026-01-02\n      # failed\n')
    expect(text).toContain('  ~ re-run its job (no rows deleted)\n')
    expect(text).toContain('  + globex 2026-01-01 … 2026-01-03 (3 days)\n  + globex 2026-01-05\n')
    expect(text).toContain('  + "we\\"ird/co" 2026-01-01\n')
    expect(text).toContain('  - initech 2025-12-30 … 2025-12-31 (2 days)\n')
  })

  it('shows delete statements and first job inputs with --show-sql', () => {
    expectGolden('plan-human/reference.show-sql.txt', renderPlanHuman(referencePlan(), { color: false, showSql: true }))
    expectGolden('plan-human/mixed.show-sql.txt', renderPlanHuman(mixedPlan(), { color: false, showSql: true }))
  })

  it('counts sub-day batches in batches and says when live figures were not read', () => {
    const text = renderPlanHuman(subDayPlan(), { color: false, showSql: true })
    expectGolden('plan-human/sub-day.show-sql.txt', text)
    expect(text).toContain('  + umbrella 2026-03-01T00 … 2026-03-01T11 (12 batches)')
    expect(text).toContain('1 delete (rows unknown), 12 jobs.')
  })

  it('says there is nothing to do', () => {
    const text = renderPlanHuman(noChangesPlan(), { color: false, showSql: true })
    expectGolden('plan-human/no-changes.txt', text)
    expect(text.trimEnd().split('\n').at(-1)).toBe('No changes. Every unit is backfilled and verified.')
  })
})

describe('renderPlanHuman with hostile text', () => {
  it('never prints control characters from customer ids, reasons or diffs', () => {
    const plan = referencePlan()
    const unit = plan.units[0]
    if (!unit) throw new Error('fixture has units')
    unit.customer = 'evil\u001b[2J'
    unit.action = 'replace'
    unit.reasons = ['drift\u001b]0;owned\u0007']
    unit.inputsDiff = '-a\n+b\u001b[31m'
    const text = renderPlanHuman(plan, { color: false, showSql: true })
    expect(hasAnsi(text)).toBe(false)
    expect(text).toContain('  ~ "evil\\u001b[2J" 2026-01-01\n')
  })
})
