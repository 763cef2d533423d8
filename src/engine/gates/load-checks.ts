import { errorMessage } from '../../common/error-text.js'
import type { PlanSpec, ThrottleSpec } from '../../plan/model.js'
import type { LoadMetric, Warehouse } from '../../warehouse/warehouse.js'

/** One load check of `throttle`: a built-in figure or a custom query, and its limit. */
export interface LoadCheck {
  /** `replicationDelay`, `replicationQueue`, `partsPerPartition`, `mergesBusy`, or a custom check's name. */
  name: string
  /** In the unit `measure` answers in (seconds for the replication delay). */
  limit: number
  measure(warehouse: Warehouse): Promise<number>
}

export interface LoadReading {
  check: string
  value: number
  limit: number
}

/** What one round of checks on a cluster found: each check's value, and the checks that could not run. */
export interface LoadRound {
  readings: LoadReading[]
  failures: { check: string; error: string }[]
}

const BUILT_IN: { metric: LoadMetric; limit: (throttle: ThrottleSpec) => number | undefined }[] = [
  { metric: 'replicationDelay', limit: (throttle) => (throttle.replicationDelayMs === undefined ? undefined : throttle.replicationDelayMs / 1_000) },
  { metric: 'replicationQueue', limit: (throttle) => throttle.replicationQueue },
  { metric: 'partsPerPartition', limit: (throttle) => throttle.partsPerPartition },
  { metric: 'mergesBusy', limit: (throttle) => throttle.mergesBusy },
]

/** The plan's load checks for `cluster`: the built-in ones it sets a limit for, then its custom ones. */
export function loadChecks(spec: PlanSpec, cluster: string): LoadCheck[] {
  const throttle = spec.throttle
  if (!throttle) return []
  const table = { database: spec.target.database, table: spec.target.table }
  const checks: LoadCheck[] = []
  for (const { metric, limit } of BUILT_IN) {
    const max = limit(throttle)
    if (max !== undefined) checks.push({ name: metric, limit: max, measure: (warehouse) => warehouse.loadMetric(metric, table) })
  }
  for (const custom of throttle.checks) {
    checks.push({
      name: custom.name,
      limit: custom.max,
      async measure(warehouse) {
        const value = await warehouse.scalar(custom.sql, { cluster })
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
        if (typeof number !== 'number' || Number.isNaN(number)) throw new Error(`it returned ${JSON.stringify(value ?? null)}, not a number`)
        return number
      },
    })
  }
  return checks
}

/** Runs every check once, side by side; a check that fails is reported, not counted as busy. */
export async function runLoadChecks(checks: readonly LoadCheck[], warehouse: Warehouse): Promise<LoadRound> {
  const settled = await Promise.allSettled(checks.map((check) => check.measure(warehouse)))
  const round: LoadRound = { readings: [], failures: [] }
  settled.forEach((outcome, index) => {
    const check = checks[index] as LoadCheck
    if (outcome.status === 'fulfilled') round.readings.push({ check: check.name, value: outcome.value, limit: check.limit })
    else round.failures.push({ check: check.name, error: errorMessage(outcome.reason) })
  })
  return round
}

/** The first reading over its limit, if any. */
export function overLimit(round: LoadRound): LoadReading | undefined {
  return round.readings.find((reading) => reading.value > reading.limit)
}
