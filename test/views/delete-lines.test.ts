import { describe, expect, it } from 'vitest'
import type { ComputedPlan, PlannedStep } from '../../src/engine/plan-model.js'
import { deleteLines, rewriteSummary } from '../../src/views/delete-lines.js'

const DAY = 86_400_000
const JAN_1 = Date.UTC(2026, 0, 1)

function deleteStep(address: string, sql: string, customers: string[], parts: number): PlannedStep {
  return {
    address,
    kind: 'delete',
    dependsOn: [],
    cluster: 'eu',
    customers,
    window: { start: JAN_1, end: JAN_1 + 14 * DAY },
    ranges: [{ start: JAN_1, end: JAN_1 + 14 * DAY }],
    inputs: { sql },
    estimatedRows: 1200,
    rewrite: { parts, rows: parts * 1000, bytes: parts * 2_000_000 },
  }
}

/** Only what the delete lines read of a plan. */
function planOf(steps: PlannedStep[]): ComputedPlan {
  const parts = steps.reduce((sum, step) => sum + (step.rewrite?.parts ?? 0), 0)
  return { steps, summary: { rewrite: { parts, rows: parts * 1000, bytes: parts * 2_000_000 } } } as unknown as ComputedPlan
}

describe('delete lines', () => {
  it('say a mutation rewrites its parts, on each replica under ON CLUSTER, and add them up', () => {
    const lines = deleteLines(planOf([deleteStep('eu/delete', 'ALTER TABLE t ON CLUSTER main DELETE WHERE …', ['acme', 'globex', 'initech', 'hooli'], 3), deleteStep('eu/delete-2', 'ALTER TABLE t ON CLUSTER main DELETE WHERE …', ['wonka'], 2)]))
    expect(lines).toEqual([
      'eu/delete: 4 customers (acme, globex, initech, …), 2026-01-01 – 2026-01-15, ~1,200 rows; 3 parts rewritten (3,000 rows, 6 MB) on each replica',
      'eu/delete-2: wonka, 2026-01-01 – 2026-01-15, ~1,200 rows; 2 parts rewritten (2,000 rows, 4 MB) on each replica',
      'in all: 5 parts rewritten (5,000 rows, 10 MB) on each replica, a part counted once per delete that rewrites it',
    ])
  })

  it('say a lightweight delete marks its parts', () => {
    const plan = planOf([deleteStep('eu/delete', 'DELETE FROM t WHERE …', ['acme'], 1)])
    expect(deleteLines(plan)).toEqual(['eu/delete: acme, 2026-01-01 – 2026-01-15, ~1,200 rows; 1 part marked (1,000 rows, 2 MB)'])
    expect(rewriteSummary(plan)).toBe('1 part, 2 MB marked')
  })

  it('are left out when no delete has an estimate', () => {
    const step = deleteStep('eu/delete', 'DELETE FROM t WHERE …', ['acme'], 1)
    delete step.rewrite
    expect(deleteLines({ steps: [step], summary: {} } as unknown as ComputedPlan)).toEqual([])
  })
})
