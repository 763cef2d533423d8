import type { ComputedPlan } from '../engine/plan-model.js'
import { formatNumber, plural } from './text.js'

/** Unit counts by action, as in a plan's summary. */
export interface ActionCounts {
  create: number
  replace: number
  noOp: number
  forget: number
}

/** True when applying the plan would change anything. */
export function planHasChanges(plan: ComputedPlan): boolean {
  const { create, replace, forget } = plan.summary
  return create + replace + forget > 0
}

/** `49 to backfill, 2 to re-run, 3 unchanged`: the non-zero counts only. */
export function countsPhrase(counts: ActionCounts): string {
  const parts = [
    counts.create > 0 ? `${formatNumber(counts.create)} to backfill` : '',
    counts.replace > 0 ? `${formatNumber(counts.replace)} to re-run` : '',
    counts.noOp > 0 ? `${formatNumber(counts.noOp)} unchanged` : '',
    counts.forget > 0 ? `${formatNumber(counts.forget)} to forget` : '',
  ]
  return parts.filter((part) => part !== '').join(', ')
}

const NO_CHANGES = 'No changes. Every unit is backfilled and verified.'

/**
 * The last line of a plan: `Plan: 49 to backfill, 0 to re-run, 0 unchanged, 0 to forget —
 * 1 delete (~123,456 rows), 49 jobs.`, or the no-changes line.
 */
export function planSummaryLine(plan: ComputedPlan): string {
  if (!planHasChanges(plan)) return NO_CHANGES
  const { summary } = plan
  const deletes = summary.steps.delete ?? 0
  const rows = !plan.refreshed ? ' (rows unknown)' : ` (~${plural(summary.rowsToDelete, 'row')})`
  const deletePart = deletes > 0 ? `${plural(deletes, 'delete')}${rows}` : '0 deletes'
  return (
    `Plan: ${formatNumber(summary.create)} to backfill, ${formatNumber(summary.replace)} to re-run, ` +
    `${formatNumber(summary.noOp)} unchanged, ${formatNumber(summary.forget)} to forget — ` +
    `${deletePart}, ${plural(summary.steps.job ?? 0, 'job')}.`
  )
}
