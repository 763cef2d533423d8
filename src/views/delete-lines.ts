import type { ComputedPlan, PlannedStep, RewriteEstimate } from '../engine/plan-model.js'
import { formatSize } from '../plan/size.js'
import { formatTimestamp } from '../plan/timestamp.js'
import { displayId, oneLine, plural } from './text.js'

/** Deletes listed one per line; a plan of per-customer deletes lists the first ones and counts the rest. */
const DELETES_SHOWN = 20

/** A lightweight delete (`DELETE FROM`) marks the parts; a mutation rewrites them. */
function marks(step: PlannedStep): boolean {
  return typeof step.inputs.sql === 'string' && step.inputs.sql.startsWith('DELETE FROM')
}

/** Under `ON CLUSTER`, every replica holds and rewrites its own copy: the estimate is one replica's. */
function onReplicas(step: PlannedStep): boolean {
  return typeof step.inputs.sql === 'string' && step.inputs.sql.includes(' ON CLUSTER ')
}

/** `3 parts rewritten (120,000 rows, 38 GB)`, `… on each replica`, or `marked` for a lightweight delete. */
export function rewriteText(rewrite: RewriteEstimate, verb: 'rewritten' | 'marked', replicas: boolean): string {
  return `${plural(rewrite.parts, 'part')} ${verb} (${plural(rewrite.rows, 'row')}, ${formatSize(rewrite.bytes)})${replicas ? ' on each replica' : ''}`
}

/** The rewrite of one delete, as its review note and its line say it. */
export function stepRewriteText(step: PlannedStep): string | undefined {
  return step.rewrite ? rewriteText(step.rewrite, marks(step) ? 'marked' : 'rewritten', onReplicas(step)) : undefined
}

function whoText(step: PlannedStep): string {
  if (step.customer !== undefined) return displayId(step.customer)
  const customers = step.customers ?? []
  if (customers.length === 1) return displayId(customers[0] as string)
  const first = customers.slice(0, 3).map(displayId).join(', ')
  return `${plural(customers.length, 'customer')} (${first}${customers.length > 3 ? ', …' : ''})`
}

function spanText(step: PlannedStep): string {
  const ranges = step.ranges ?? (step.window ? [step.window] : [])
  const first = ranges[0]
  const last = ranges[ranges.length - 1]
  if (!first || !last) return ''
  const day = (ms: number): string => formatTimestamp(ms).replace('T00:00:00Z', '').replace(':00:00Z', 'h')
  const span = `${day(first.start)} – ${day(last.end)}`
  return ranges.length > 1 ? `${span} in ${ranges.length} ranges` : span
}

/**
 * One line per delete, when the plan estimated their rewrites: whom it covers, its span, the rows it removes and the parts it
 * rewrites, then the deletes' parts added up, and — when several deletes rewrite the same
 * parts — the note that a part is counted once per delete that rewrites it.
 */
export function deleteLines(plan: ComputedPlan): string[] {
  const deletes = plan.steps.filter((step) => step.kind === 'delete')
  // Without an estimate (no refresh, no table yet) the deletes are in the statements (--show-sql).
  if (!deletes.some((step) => step.rewrite)) return []
  const lines = deletes.slice(0, DELETES_SHOWN).map((step) => {
    const rows = step.estimatedRows === undefined ? 'rows unknown' : `~${plural(step.estimatedRows, 'row')}`
    const rewrite = stepRewriteText(step)
    return `${oneLine(step.address)}: ${whoText(step)}, ${spanText(step)}, ${rows}${rewrite ? `; ${rewrite}` : ''}`
  })
  if (deletes.length > DELETES_SHOWN) lines.push(`… and ${plural(deletes.length - DELETES_SHOWN, 'more delete')} (bf plan --json lists each)`)
  const total = plan.summary.rewrite
  if (total && deletes.length > 1) {
    const verb = deletes.every(marks) ? 'marked' : 'rewritten'
    lines.push(`in all: ${rewriteText(total, verb, deletes.some(onReplicas))}, a part counted once per delete that rewrites it`)
  }
  return lines
}

/** `38 parts, 38 GB rewritten`: the summary line's part, or '' without an estimate. */
export function rewriteSummary(plan: ComputedPlan): string {
  const total = plan.summary.rewrite
  if (!total) return ''
  const deletes = plan.steps.filter((step) => step.kind === 'delete')
  const verb = deletes.length > 0 && deletes.every(marks) ? 'marked' : 'rewritten'
  return `${plural(total.parts, 'part')}, ${formatSize(total.bytes)} ${verb}`
}
