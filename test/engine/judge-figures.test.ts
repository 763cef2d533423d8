import { describe, expect, it } from 'vitest'
import { decideUnit, driftReasons } from '../../src/engine/decide-unit.js'
import type { CheckFailure } from '../../src/engine/verify-model.js'
import { PlanMemo } from '../../src/engine/plan-memo.js'
import { judgeFigures } from '../../src/engine/verify-unit.js'
import { unitsOfCustomer } from '../../src/plan/batches.js'
import { loadPlanText } from '../../src/plan/load.js'
import type { PlanSpec, VerifySpec } from '../../src/plan/model.js'
import type { LiveFigures, UnitFigures } from '../../src/warehouse/warehouse.js'
import { relabelPlan } from '../support/embedded-workspace.js'

const base = loadPlanText(relabelPlan({ customers: ['acme'] }), 'plan.yaml').spec
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`plan has no ${what}`)
  return value
}
const cluster = present(base.clusters[0], 'cluster')
const customer = present(cluster.customers[0], 'customer')

const withVerify = (verify: Partial<VerifySpec>): PlanSpec => ({ ...base, verify: { duplicates: true, requireData: false, checks: [], ...verify } })
const bounded = withVerify({ ratio: { min: 0.99, max: 1.01 } })
const lowOnly = withVerify({ ratio: { min: 0.99 } })
const strict = withVerify({ ratio: { min: 1.05, max: 2 } })

/** What planning (`decideUnit` and its drift reasons) and verify each make of the same figures. */
function bothPaths(spec: PlanSpec, figures: UnitFigures): { drifted: boolean; reasons: string[]; failures: CheckFailure[] } {
  const [unit] = unitsOfCustomer(spec, cluster, customer)
  if (!unit) throw new Error('customer has no unit')
  const live: LiveFigures = { unit: () => figures, pendingMutations: 0, queries: 0 }
  const decision = decideUnit(unit, { spec, steps: new Map(), live, verifyFingerprint: 'v', memo: new PlanMemo() })
  const verdict = judgeFigures(spec, unit.address, figures)
  expect(verdict.ok).toBe(verdict.failures.length === 0)
  return { drifted: decision.drifted, reasons: driftReasons(spec, figures), failures: verdict.failures }
}

describe("planning and verify judge a unit's figures alike", () => {
  it.each([
    ['0 keys of 0 expected', bounded, { rows: 0, keys: 0, expected: 0 }, []],
    ['0 keys of 0 expected, bounds that exclude 1', strict, { rows: 0, keys: 0, expected: 0 }, []],
    ['0 keys of some expected', bounded, { rows: 0, keys: 0, expected: 12 }, ['ratio']],
    ['keys over 0 expected', bounded, { rows: 3, keys: 3, expected: 0 }, ['ratio']],
    ['keys over 0 expected, no upper bound', lowOnly, { rows: 3, keys: 3, expected: 0 }, []],
    ['duplicate keys', bounded, { rows: 12, keys: 10, expected: 10 }, ['duplicates']],
    ['duplicates and a low ratio', bounded, { rows: 12, keys: 9, expected: 10 }, ['duplicates', 'ratio']],
    ['a ratio within bounds', bounded, { rows: 100, keys: 100, expected: 101 }, []],
    ['a ratio above bounds', bounded, { rows: 103, keys: 103, expected: 100 }, ['ratio']],
    ['a ratio below bounds', bounded, { rows: 97, keys: 97, expected: 100 }, ['ratio']],
    ['no expected source', bounded, { rows: 5, keys: 5 }, []],
    ['duplicates not checked', withVerify({ duplicates: false }), { rows: 12, keys: 10 }, []],
  ] as const)('%s', (_name, spec, figures, failing) => {
    const { drifted, reasons, failures } = bothPaths(spec, figures)
    expect(failures.map((failure) => failure.check)).toEqual(failing)
    expect(drifted).toBe(failures.length > 0)
    expect(reasons.map((reason) => (reason.includes('duplicate keys') ? 'duplicates' : 'ratio'))).toEqual(failing)
  })

  it('words each failure as before: drift reasons for the plan, check failures for verify', () => {
    expect(bothPaths(bounded, { rows: 5, keys: 3, expected: 0 })).toEqual({
      drifted: true,
      reasons: ['drift: 2 duplicate keys', 'drift: ratio ∞ (3 keys / 0 expected) outside [0.99, 1.01]'],
      failures: [
        { check: 'duplicates', seen: 2, expected: '= 0' },
        { check: 'ratio', seen: 'inf', expected: 'between 0.99 and 1.01 (3 keys / 0 expected)' },
      ],
    })
    expect(bothPaths(lowOnly, { rows: 2, keys: 2, expected: 3 }).reasons).toEqual(['drift: ratio 0.667 (2 keys / 3 expected) outside [0.99, -]'])
    expect(bothPaths(lowOnly, { rows: 2, keys: 2, expected: 3 }).failures).toEqual([{ check: 'ratio', seen: 0.6667, expected: 'between 0.99 and - (2 keys / 3 expected)' }])
  })

  it('reports 0 keys of 0 expected as no data, without a ratio, and fails it only under verify.requireData', () => {
    const [unit] = unitsOfCustomer(bounded, cluster, customer)
    if (!unit) throw new Error('customer has no unit')
    const nothing = judgeFigures(bounded, unit.address, { rows: 0, keys: 0, expected: 0 })
    expect(nothing).toMatchObject({ ok: true, noData: true, failures: [] })
    expect(nothing.ratio).toBeUndefined()
    const required = judgeFigures(withVerify({ ...bounded.verify, requireData: true }), unit.address, { rows: 0, keys: 0, expected: 0 })
    expect(required.failures).toEqual([{ check: 'data', seen: 0, expected: 'rows in conversation_d (verify.requireData)' }])
    // Without an expected source, no rows in the target is no data.
    expect(judgeFigures({ ...bounded, expected: undefined }, unit.address, { rows: 0, keys: 0 }).noData).toBe(true)
    expect(judgeFigures(bounded, unit.address, { rows: 5, keys: 5, expected: 5 }).noData).toBe(false)
  })
})
