import { describe, expect, it } from 'vitest'
import type { ComputedPlan, PlannedUnit } from '../../src/engine/plan-model.js'
import { summarizePlan } from '../../src/engine/plan-summary.js'
import { foldUnits, rangeText } from '../../src/views/unit-ranges.js'
import { referencePlan, units } from './plans.js'

const DAY = 86_400_000
const withUnits = (planned: PlannedUnit[]): ComputedPlan => ({ ...referencePlan(), units: planned, summary: summarizePlan(planned, [], []) })
const texts = (plan: ComputedPlan): string[] => {
  const folded = foldUnits(plan)
  return folded.clusters.flatMap((cluster) => cluster.customers.flatMap((customer) => customer.ranges.map((range) => `${range.action} ${customer.customer} ${rangeText(range, folded.noun)}`)))
}

describe('foldUnits', () => {
  it('shows newest-first units in time order', () => {
    const planned = units({ cluster: 'c', customer: 'x', start: Date.parse('2026-01-01T00:00:00Z'), stepMs: DAY, count: 5, action: 'create' }).reverse()
    expect(texts(withUnits(planned))).toEqual(['create x 2026-01-01 … 2026-01-05 (5 days)'])
  })

  it('folds forgotten units by their labels and breaks on a gap', () => {
    const start = Date.parse('2025-12-01T00:00:00Z')
    const planned = [
      ...units({ cluster: 'c', customer: 'x', start, stepMs: DAY, count: 3, action: 'forget' }),
      ...units({ cluster: 'c', customer: 'x', start: start + 5 * DAY, stepMs: DAY, count: 1, action: 'forget' }),
    ]
    expect(texts(withUnits(planned))).toEqual(['forget x 2025-12-01 … 2025-12-03 (3 days)', 'forget x 2025-12-06'])
  })

  it('counts weekly batches as batches', () => {
    const planned = units({ cluster: 'c', customer: 'x', start: Date.parse('2026-01-01T00:00:00Z'), stepMs: 7 * DAY, count: 4, action: 'create' })
    expect(texts(withUnits(planned))).toEqual(['create x 2026-01-01 … 2026-01-22 (4 batches)'])
  })

  it('keeps clusters and customers in the order they first appear, and counts unchanged units', () => {
    const start = Date.parse('2026-01-01T00:00:00Z')
    const planned = [
      ...units({ cluster: 'b', customer: 'y', start, stepMs: DAY, count: 1, action: 'no-op' }),
      ...units({ cluster: 'a', customer: 'x', start, stepMs: DAY, count: 1, action: 'create' }),
    ]
    const folded = foldUnits(withUnits(planned))
    expect(folded.clusters.map((cluster) => [cluster.summary.cluster, cluster.summary.noOp, cluster.customers.length])).toEqual([
      ['b', 1, 0],
      ['a', 0, 1],
    ])
  })
})
