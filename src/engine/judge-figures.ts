import type { VerifySpec } from '../plan/model.js'
import type { UnitFigures } from '../warehouse/warehouse.js'

/** A way one unit's live figures break the plan's `verify` settings. */
export type FiguresFailure =
  | { check: 'duplicates'; duplicates: number }
  | { check: 'ratio'; ratio: number; keys: number; expected: number; bounds: NonNullable<VerifySpec['ratio']> }

/**
 * Distinct keys over expected keys; undefined without an expected source. 0 keys of 0
 * expected is 1 (nothing was due and nothing is there); keys over 0 expected is Infinity.
 */
export function figuresRatio(figures: UnitFigures): number | undefined {
  const { keys, expected } = figures
  if (expected === undefined) return undefined
  if (expected === 0) return keys === 0 ? 1 : Infinity
  return keys / expected
}

/**
 * Nothing was due and nothing is there: 0 expected and 0 keys with an expected source,
 * 0 rows in the target without one. Such a unit says nothing about the backfill (a
 * customer id with a typo looks exactly like this).
 */
export function hasNoData(figures: UnitFigures): boolean {
  return figures.expected === undefined ? figures.rows === 0 : figures.expected === 0 && figures.keys === 0
}

/** Shared by every unit whose figures hold: a plan judges a million. Never push to it. */
const NO_FAILURES: readonly FiguresFailure[] = []

/**
 * The one judgement of a unit's figures, for planning (drift) and verify alike: duplicate
 * keys when `verify.duplicates`, and the ratio outside `verify.ratio`'s bounds. A unit
 * with 0 keys of 0 expected always passes the ratio, whatever the bounds.
 */
export function judgeUnitFigures(verify: VerifySpec, figures: UnitFigures): readonly FiguresFailure[] {
  const failures: FiguresFailure[] = []
  const duplicates = figures.rows - figures.keys
  if (verify.duplicates && duplicates > 0) failures.push({ check: 'duplicates', duplicates })
  const bounds = verify.ratio
  const ratio = figuresRatio(figures)
  if (bounds && ratio !== undefined && figures.expected !== undefined && !(figures.keys === 0 && figures.expected === 0)) {
    if ((bounds.min !== undefined && ratio < bounds.min) || (bounds.max !== undefined && ratio > bounds.max)) {
      failures.push({ check: 'ratio', ratio, keys: figures.keys, expected: figures.expected, bounds })
    }
  }
  return failures.length === 0 ? NO_FAILURES : failures
}
