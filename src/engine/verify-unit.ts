import type { CheckSpec, Expectation, PlanSpec } from '../plan/model.js'
import type { UnitFigures, Warehouse } from '../warehouse/warehouse.js'
import type { Unit } from '../plan/model.js'
import { figuresRatio, hasNoData, judgeUnitFigures } from './judge-figures.js'
import type { FiguresFailure } from './judge-figures.js'
import type { CheckFailure, UnitVerification } from './verify-model.js'

function describeExpectation(expect: Expectation): string {
  if ('equals' in expect) return `= ${String(expect.equals)}`
  if ('between' in expect) return `between ${expect.between[0]} and ${expect.between[1]}`
  if ('min' in expect) return `≥ ${expect.min}`
  return `≤ ${expect.max}`
}

function holds(expect: Expectation, seen: unknown): boolean {
  if ('equals' in expect) return String(seen) === String(expect.equals)
  const value = Number(seen)
  if (!Number.isFinite(value)) return false
  if ('between' in expect) return value >= expect.between[0] && value <= expect.between[1]
  if ('min' in expect) return value >= expect.min
  return value <= expect.max
}

function checkFailure(failure: FiguresFailure): CheckFailure {
  if (failure.check === 'duplicates') return { check: 'duplicates', seen: failure.duplicates, expected: '= 0' }
  const { ratio, keys, expected, bounds } = failure
  return { check: 'ratio', seen: Number.isFinite(ratio) ? Number(ratio.toFixed(4)) : 'inf', expected: `between ${bounds.min ?? '-'} and ${bounds.max ?? '-'} (${keys} keys / ${expected} expected)` }
}

/** The failure of a unit with no data when `verify.requireData` asks for data. */
function noDataFailure(spec: PlanSpec): CheckFailure {
  const table = spec.expected ? spec.expected.table : spec.target.readTable
  return { check: 'data', seen: 0, expected: `rows in ${table} (verify.requireData)` }
}

/**
 * Duplicates and ratio of one unit from its live figures, judged as planning judges drift;
 * a unit with no data has no ratio, and fails only under `verify.requireData`.
 */
export function judgeFigures(spec: PlanSpec, address: string, figures: UnitFigures): UnitVerification {
  const noData = hasNoData(figures)
  const ratio = noData ? undefined : figuresRatio(figures)
  const failures = judgeUnitFigures(spec.verify, figures).map(checkFailure)
  if (noData && spec.verify.requireData) failures.push(noDataFailure(spec))
  return {
    address,
    ok: failures.length === 0,
    rows: figures.rows,
    keys: figures.keys,
    ...(figures.expected === undefined ? {} : { expected: figures.expected }),
    duplicates: figures.rows - figures.keys,
    ...(ratio === undefined || !Number.isFinite(ratio) ? {} : { ratio }),
    noData,
    failures,
  }
}

export function checksFor(spec: PlanSpec, customer: string): CheckSpec[] {
  return spec.verify.checks.filter((check) => check.customers === undefined || check.customers.includes(customer))
}

/** Runs the plan's custom checks for one unit; each returns one value compared with its expectation. */
export async function runChecks(spec: PlanSpec, warehouse: Warehouse, unit: Unit): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = []
  for (const check of checksFor(spec, unit.customer)) {
    const params = { customer: unit.customer, start: Math.floor(unit.batch.start / 1000), end: Math.floor(unit.batch.end / 1000), cluster: unit.cluster }
    const seen = await warehouse.scalar(check.sql, params)
    if (!holds(check.expect, seen)) {
      failures.push({ check: check.name, seen: seen === null || seen === undefined ? null : typeof seen === 'number' ? seen : String(seen), expected: describeExpectation(check.expect) })
    }
  }
  return failures
}

export function describeFailures(failures: CheckFailure[]): string {
  return failures.map((failure) => `${failure.check}: saw ${failure.seen}, expected ${failure.expected}`).join('; ')
}
