import { summarizePlan } from '../../src/engine/plan-summary.js'
import { describe, expect, it } from 'vitest'
import type { ComputedPlan, PlannedUnit } from '../../src/engine/plan-model.js'
import { renderPlanMarkdown } from '../../src/views/plan-markdown.js'
import { expectGolden } from './golden.js'
import { mixedPlan, noChangesPlan, referencePlan } from './plans.js'

const NOTE = /\n… truncated: [\d,]+ more lines; run bf plan locally for the full plan\n$/

/** Open `<details>` and code fences left at the end of a markdown text. */
function unclosed(markdown: string): { details: number; fence: boolean } {
  let details = 0
  let fence: string | null = null
  for (const line of markdown.split('\n')) {
    const marker = /^(`{3,})/.exec(line)?.[1]
    if (fence !== null) {
      if (line === fence) fence = null
    } else if (marker !== undefined) fence = marker
    else if (line.startsWith('<details')) details++
    else if (line.startsWith('</details>')) details--
  }
  return { details, fence: fence !== null }
}

/** 2,000 customers × 366 days in two clusters, reasons changing every few days: far over any comment. */
function hugePlan(): ComputedPlan {
  const start = Date.parse('2026-01-01T00:00:00Z')
  const days = Array.from({ length: 366 }, (_, d) => {
    const dayStart = start + d * 86_400_000
    return { start: dayStart, end: dayStart + 86_400_000, label: new Date(dayStart).toISOString().slice(0, 10) }
  })
  const reasons = ['drift: 90 duplicate keys', 'job.env.BATCH_SIZE changed', 'failed', 'drift: ratio 0.93 below 0.99']
  const planned: PlannedUnit[] = []
  for (let c = 0; c < 2_000; c++) {
    const cluster = c % 2 === 0 ? 'us-east-1-prod' : 'eu-west-1-prod'
    const customer = `customer-${String(c).padStart(4, '0')}`
    for (const [d, batch] of days.entries()) {
      const create = Math.floor(d / 6) % 2 === 0
      const reason = reasons[(c + Math.floor(d / 6)) % reasons.length] as string
      planned.push({ address: `${cluster}/${customer}/${batch.label}`, cluster, customer, batch, action: create ? 'create' : 'replace', reasons: create ? [] : [reason] })
    }
  }
  const base = referencePlan()
  return { ...base, units: planned, summary: summarizePlan(planned, base.steps, base.forgetSteps) }
}

describe('renderPlanMarkdown', () => {
  it('puts the summary first and folds each cluster', () => {
    const text = renderPlanMarkdown(mixedPlan())
    expectGolden('plan-markdown/mixed.md', text)
    const lines = text.split('\n')
    expect(lines[2]).toBe('**Plan: 5 to backfill, 8 to re-run, 5 unchanged, 2 to forget — 2 deletes (\\~5,100 rows), 13 jobs, 6 step records to forget.**')
    expect(text).toContain('<details><summary><b>eu-west-1-prod</b>: 1 to re-run, 4 unchanged, 2 to forget, 4 steps no longer planned</summary>')
    expect(text).toContain('- hooli 2 delete, 2 await-mutation steps no longer planned')
    expect(unclosed(text)).toEqual({ details: 0, fence: false })
  })

  it('renders the reference plan and a plan without changes', () => {
    expectGolden('plan-markdown/reference.md', renderPlanMarkdown(referencePlan()))
    expectGolden('plan-markdown/no-changes.md', renderPlanMarkdown(noChangesPlan()))
  })

  it('cuts a long comment at the limit, closes what is open and says how much is left out', () => {
    const text = renderPlanMarkdown(mixedPlan(), { maxChars: 1_500 })
    expectGolden('plan-markdown/mixed.truncated.md', text)
    expect(text.length).toBeLessThanOrEqual(1_500)
    expect(text).toMatch(NOTE)
    expect(unclosed(text)).toEqual({ details: 0, fence: false })
  })

  it('keeps a huge plan under 60,000 characters', () => {
    const text = renderPlanMarkdown(hugePlan())
    expect(text.length).toBeLessThanOrEqual(60_000)
    expect(text.length).toBeGreaterThan(59_000)
    expect(text).toMatch(NOTE)
    expect(text.startsWith('## bf plan `relabel-2026` (`plans/2026.yaml`)\n\n**Plan: 372,000 to backfill, 360,000 to re-run')).toBe(true)
    expect(unclosed(text)).toEqual({ details: 0, fence: false })
  })
})

describe('renderPlanMarkdown with awkward ids', () => {
  it('keeps fences and inline code closed around backticks and markup', () => {
    const plan = mixedPlan()
    for (const unit of plan.units) if (unit.customer === 'acme') unit.customer = '```</details>'
    for (const step of plan.steps) if (step.customer === 'acme') step.address = step.address.replace('acme', '`a`')
    const text = renderPlanMarkdown(plan)
    expect(unclosed(text)).toEqual({ details: 0, fence: false })
    expect(text).toContain('````diff\n-/+ "```</details>" 2026-01-01 … 2026-01-02 (2 days)')
    expect(text).toContain('``us-east-1-prod/`a`/delete`` — \\~5,090 rows')
  })
})
