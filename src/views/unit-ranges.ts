import type { ClusterSummary, ComputedPlan, PlannedUnit, UnitAction } from '../engine/plan-model.js'
import { splitAddress } from '../plan/address.js'
import { oneLine, plural } from './text.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** What a range shows: a re-run whose rows a delete removes first (`replace`) or a re-run of the job alone (`rerun`). */
export type ShownAction = Exclude<UnitAction, 'no-op'> | 'rerun'

/** Consecutive batches of one customer with the same action and reasons, shown as one line. */
export interface UnitRange {
  action: ShownAction
  /** Label of the first and last batch (`2026-01-01`, `2026-01-01T06`). */
  first: string
  last: string
  count: number
  reasons: string[]
  /** The inputs diff of the range's first unit that has one. */
  inputsDiff?: { label: string; text: string }
  /** Live rows and duplicate keys summed over the range's units, when refresh read them. */
  live?: { rows: number; duplicates: number }
}

export interface CustomerRanges {
  customer: string
  ranges: UnitRange[]
}

export interface ClusterRanges {
  /** The cluster's counts and unplanned steps, as the engine summed them. */
  summary: ClusterSummary
  customers: CustomerRanges[]
}

/** A plan's units folded for review: cluster, then customer, then ranges in time order. */
export interface FoldedUnits {
  clusters: ClusterRanges[]
  /** `days` when every batch is a whole day, `batches` otherwise. */
  noun: { one: string; many: string }
}

interface LabelledUnit {
  unit: PlannedUnit
  label: string
}

/** Start of a batch label (`2026-01-15` or `2026-01-15T06`), or NaN for anything else. */
function labelStart(label: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/.exec(label)
  if (!match) return Number.NaN
  const [, year, month, day, hour] = match
  return Date.UTC(Number(year), Number(month) - 1, Number(day), hour === undefined ? 0 : Number(hour))
}

function labelOf(unit: PlannedUnit): string {
  return unit.batch?.label ?? splitAddress(unit.address).at(-1) ?? unit.address
}

/**
 * The batch length of the plan's grid: the longest batch (only the ends of a range are
 * clipped), or, when only forgotten units without windows remain, the smallest gap
 * between their labels.
 */
function gridStep(groups: LabelledUnit[][]): number {
  let longest = 0
  for (const units of groups) {
    for (const { unit } of units) if (unit.batch) longest = Math.max(longest, unit.batch.end - unit.batch.start)
  }
  if (longest > 0) return longest
  let smallestGap = Number.POSITIVE_INFINITY
  for (const units of groups) {
    for (let i = 1; i < units.length; i++) {
      const gap = labelStart((units[i] as LabelledUnit).label) - labelStart((units[i - 1] as LabelledUnit).label)
      if (gap > 0) smallestGap = Math.min(smallestGap, gap)
    }
  }
  return Number.isFinite(smallestGap) ? smallestGap : DAY_MS
}

function adjacent(previous: LabelledUnit, next: LabelledUnit, step: number): boolean {
  if (previous.unit.batch && next.unit.batch) return previous.unit.batch.end === next.unit.batch.start
  return labelStart(next.label) - labelStart(previous.label) === step
}

const byLabel = (a: LabelledUnit, b: LabelledUnit): number => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)

/** Puts a customer's units in time order; the planner's order (forward or backward) is cheap to recognise. */
function sortByTime(units: LabelledUnit[]): void {
  const ascending = units.every((unit, i) => i === 0 || byLabel(units[i - 1] as LabelledUnit, unit) <= 0)
  if (ascending) return
  const descending = units.every((unit, i) => i === 0 || byLabel(units[i - 1] as LabelledUnit, unit) >= 0)
  if (descending) units.reverse()
  else units.sort(byLabel)
}

function shownAction(unit: PlannedUnit): ShownAction | 'no-op' {
  return unit.action === 'replace' && !unit.deletedFirst ? 'rerun' : unit.action
}

function sameChange(a: PlannedUnit, b: PlannedUnit): boolean {
  return shownAction(a) === shownAction(b) && a.reasons.length === b.reasons.length && a.reasons.every((reason, i) => reason === b.reasons[i])
}

function foldCustomer(units: LabelledUnit[], step: number): UnitRange[] {
  const ranges: UnitRange[] = []
  let open: UnitRange | undefined
  let previous: LabelledUnit | undefined
  for (const current of units) {
    const { unit } = current
    const continues = open !== undefined && previous !== undefined && sameChange(previous.unit, unit) && adjacent(previous, current, step)
    if (!continues) open = undefined
    previous = current
    const action = shownAction(unit)
    if (action === 'no-op') continue
    if (open === undefined) {
      open = { action, first: current.label, last: current.label, count: 0, reasons: [...unit.reasons] }
      ranges.push(open)
    }
    open.last = current.label
    open.count++
    if (unit.live) {
      open.live ??= { rows: 0, duplicates: 0 }
      open.live.rows += unit.live.rows
      open.live.duplicates += unit.live.rows - unit.live.keys
    }
    if (open.inputsDiff === undefined && unit.inputsDiff !== undefined) open.inputsDiff = { label: current.label, text: unit.inputsDiff }
  }
  return ranges
}

/**
 * Groups a plan's units by cluster and customer (in the order they first appear) and
 * folds each customer's consecutive batches with the same action and reasons into
 * ranges. Unchanged units are never listed, and break a range in two. Clusters come in
 * the order of the plan's summary, which also gives their counts.
 */
export function foldUnits(plan: ComputedPlan): FoldedUnits {
  const byCluster = new Map<string, Map<string, LabelledUnit[]>>()
  for (const unit of plan.units) {
    let customers = byCluster.get(unit.cluster)
    if (!customers) byCluster.set(unit.cluster, (customers = new Map()))
    let units = customers.get(unit.customer)
    if (!units) customers.set(unit.customer, (units = []))
    units.push({ unit, label: labelOf(unit) })
  }
  const allGroups: LabelledUnit[][] = []
  for (const customers of byCluster.values()) {
    for (const units of customers.values()) {
      sortByTime(units)
      allGroups.push(units)
    }
  }
  const step = gridStep(allGroups)
  const clusters = plan.summary.clusters.map((summary) => ({
    summary,
    customers: [...(byCluster.get(summary.cluster) ?? new Map<string, LabelledUnit[]>())]
      .map(([customer, units]) => ({ customer, ranges: foldCustomer(units, step) }))
      .filter((customer) => customer.ranges.length > 0),
  }))
  const wholeDays = step === DAY_MS && allGroups.every((units) => units.every(({ label }) => label.length === 10))
  return { clusters, noun: wholeDays ? { one: 'day', many: 'days' } : { one: 'batch', many: 'batches' } }
}

/** `2026-01-01 … 2026-02-18 (49 days)`, or just the label of a single batch. */
export function rangeText(range: UnitRange, noun: FoldedUnits['noun']): string {
  if (range.count === 1) return range.first
  return `${range.first} … ${range.last} (${plural(range.count, noun.one, noun.many)})`
}

/** What is said under a range: each reason, then the heading of its inputs diff. */
export function rangeComments(range: UnitRange): string[] {
  const comments = range.reasons.map(oneLine)
  if (range.action === 'create' && range.live && range.live.duplicates > 0) {
    comments.push(`now: ${plural(range.live.duplicates, 'duplicate key')} in ${plural(range.live.rows, 'row')}`)
  }
  if (range.inputsDiff) {
    comments.push(range.count === 1 ? 'inputs diff:' : `inputs diff of ${range.inputsDiff.label} (first of ${range.count}):`)
  }
  return comments
}

/** What each shown action means, in legend order. */
export const ACTION_WORDS: Record<ShownAction, string> = {
  create: 'backfill',
  replace: 're-run, its rows deleted first',
  rerun: 're-run its job (no rows deleted)',
  forget: 'forget',
}

/** The actions that appear in the ranges, in legend order: a legend lists only these. */
export function actionsUsed(folded: FoldedUnits): UnitRange['action'][] {
  const used = new Set(folded.clusters.flatMap((cluster) => cluster.customers.flatMap((customer) => customer.ranges.map((range) => range.action))))
  if (folded.clusters.some((cluster) => cluster.summary.unplanned.length > 0)) used.add('forget')
  return (['create', 'replace', 'rerun', 'forget'] as const).filter((action) => used.has(action))
}
