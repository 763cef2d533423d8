import type { ClusterSummary, ComputedPlan, UnitCounts, UnplannedSteps } from '../engine/plan-model.js'
import { rewriteSummary } from './delete-lines.js'
import { displayId, formatNumber, plural } from './text.js'

/** `49 to backfill, 2 to re-run, 3 unchanged, 4 steps no longer planned`: the non-zero counts only. */
export function countsPhrase(counts: UnitCounts & Pick<ClusterSummary, 'unplannedSteps'>): string {
  const parts = [
    counts.create > 0 ? `${formatNumber(counts.create)} to backfill` : '',
    counts.replace > 0 ? `${formatNumber(counts.replace)} to re-run` : '',
    counts.noOp > 0 ? `${formatNumber(counts.noOp)} unchanged` : '',
    counts.forget > 0 ? `${formatNumber(counts.forget)} to forget` : '',
    counts.unplannedSteps > 0 ? `${plural(counts.unplannedSteps, 'step')} no longer planned` : '',
  ]
  return parts.filter((part) => part !== '').join(', ')
}

/** `acme 60 delete, 60 await-mutation steps no longer planned`; `check step …` for a cluster's own. */
export function unplannedText(group: UnplannedSteps): string {
  const total = group.kinds.reduce((sum, { count }) => sum + count, 0)
  const kinds = group.kinds.map(({ kind, count }) => `${formatNumber(count)} ${kind}`).join(', ')
  const owner = group.customer === undefined ? '' : `${displayId(group.customer)} `
  return `${owner}${kinds} ${total === 1 ? 'step' : 'steps'} no longer planned`
}

const NO_CHANGES = 'No changes. Every unit is backfilled and verified.'

/**
 * The last line of a plan: `Plan: 49 to backfill, 0 to re-run, 0 unchanged, 0 to forget —
 * 1 delete (~123,456 rows), 49 jobs.`, with `, 4 step records to forget` when the state has
 * records to remove, or the no-changes line.
 */
export function planSummaryLine(plan: ComputedPlan): string {
  const { summary } = plan
  if (!summary.hasChanges) return NO_CHANGES
  const deletes = summary.steps.delete ?? 0
  const rewrite = rewriteSummary(plan)
  const rows = !plan.refreshed ? ' (rows unknown)' : ` (~${plural(summary.rowsToDelete, 'row')}${rewrite === '' ? '' : `; ${rewrite}`})`
  const deletePart = deletes > 0 ? `${plural(deletes, 'delete')}${rows}` : '0 deletes'
  const forgetPart = summary.forgetSteps > 0 ? `, ${plural(summary.forgetSteps, 'step record')} to forget` : ''
  return (
    `Plan: ${formatNumber(summary.create)} to backfill, ${formatNumber(summary.replace)} to re-run, ` +
    `${formatNumber(summary.noOp)} unchanged, ${formatNumber(summary.forget)} to forget — ` +
    `${deletePart}, ${plural(summary.steps.job ?? 0, 'job')}${forgetPart}.`
  )
}
