import type { ChalkInstance } from 'chalk'
import type { ComputedPlan } from '../engine/plan-model.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { deleteLines } from './delete-lines.js'
import { diffLines } from './diff-lines.js'
import { discoveryLines } from './discovery-text.js'
import type { PlanOperations } from '../engine/gates/plan-operations.js'
import { palette } from './palette.js'
import { operationsLines } from './plan-operations.js'
import { countsPhrase, planSummaryLine, unplannedText } from './plan-totals.js'
import type { ReviewEntry } from './review-steps.js'
import { reviewEntries } from './review-steps.js'
import { displayId, linesOf, oneLine, printable } from './text.js'
import type { FoldedUnits, UnitRange } from './unit-ranges.js'
import { ACTION_WORDS, actionsUsed, foldUnits, rangeComments, rangeText } from './unit-ranges.js'

export interface PlanHumanOptions {
  color: boolean
  /** Also show every delete statement and each customer's first job inputs. */
  showSql: boolean
  /** What would hold the apply's steps now (pause, schedule, load), and the clock it was read at. */
  operations?: PlanOperations
  now?: number
}

type ShownAction = UnitRange['action']

/** Terraform's symbols, right-aligned in three columns so names line up. */
function actionSymbol(action: ShownAction, c: ChalkInstance): string {
  if (action === 'create') return `  ${c.green('+')}`
  if (action === 'replace') return `${c.red('-')}/${c.green('+')}`
  if (action === 'rerun') return `  ${c.yellow('~')}`
  return `  ${c.red('-')}`
}

function* header(plan: ComputedPlan, c: ChalkInstance): Generator<string> {
  yield c.bold(`Plan ${oneLine(plan.plan.name)} (${oneLine(plan.plan.file)})`)
  const description = plan.plan.description.trim()
  if (description !== '') {
    yield ''
    for (const line of linesOf(printable(description))) yield `  ${line}`.trimEnd()
  }
  if (!plan.refreshed) {
    yield ''
    yield `${c.bold('Note:')} planned from state alone (--refresh=false): live figures and rows to delete are unknown.`
  }
  const discovered = discoveryLines(plan.customers)
  if (discovered.length > 0) yield ''
  yield* discovered
}

function* legend(folded: FoldedUnits, c: ChalkInstance): Generator<string> {
  const shown = actionsUsed(folded)
  if (shown.length === 0) return
  yield ''
  yield 'Units are marked with these symbols:'
  for (const action of shown) yield `${actionSymbol(action, c)} ${ACTION_WORDS[action]}`
}

function* unitLines(folded: FoldedUnits, c: ChalkInstance): Generator<string> {
  yield ''
  yield 'bf will do the following:'
  for (const cluster of folded.clusters) {
    yield ''
    yield c.bold(`Cluster ${displayId(cluster.summary.cluster)}: ${countsPhrase(cluster.summary)}`)
    for (const customer of cluster.customers) {
      for (const range of customer.ranges) {
        yield `${actionSymbol(range.action, c)} ${displayId(customer.customer)} ${rangeText(range, folded.noun)}`
        for (const comment of rangeComments(range)) yield c.dim(`      # ${comment}`)
        if (range.inputsDiff) yield* diffLines(range.inputsDiff.text, '        ', c)
      }
    }
    for (const group of cluster.summary.unplanned) yield `${actionSymbol('forget', c)} ${unplannedText(group)}`
  }
}

function* deletesSection(plan: ComputedPlan): Generator<string> {
  const lines = deleteLines(plan)
  if (lines.length === 0) return
  yield ''
  yield 'Deletes, and the parts of the target they rewrite:'
  for (const line of lines) yield `  ${line}`
}

function* reviewLines(entries: ReviewEntry[], c: ChalkInstance): Generator<string> {
  if (entries.length === 0) return
  yield ''
  yield 'Statements and job inputs:'
  for (const entry of entries) {
    yield ''
    yield c.bold(`  # ${oneLine(entry.address)} (${entry.note})`)
    for (const [index, block] of entry.blocks.entries()) {
      if (index > 0) yield ''
      for (const line of block.lines) yield `    ${line}`.trimEnd()
    }
  }
}

/** `Warning: [code] where: message (hint)`, one line per diagnostic. */
export function diagnosticLines(diagnostics: Diagnostic[], c: ChalkInstance): string[] {
  return diagnostics.map((d) => {
    const label = d.severity === 'error' ? c.red.bold('Error:') : c.yellow.bold('Warning:')
    return `${label} [${oneLine(d.code)}] ${oneLine(formatDiagnostic(d))}`
  })
}

function* planHumanLines(plan: ComputedPlan, options: PlanHumanOptions): Generator<string> {
  const c = palette(options.color)
  yield* header(plan, c)
  yield* operationsLines(options.operations, options.now ?? Date.now(), c)
  if (plan.summary.hasChanges) {
    const folded = foldUnits(plan)
    yield* legend(folded, c)
    yield* unitLines(folded, c)
    yield* deletesSection(plan)
    if (options.showSql) yield* reviewLines(reviewEntries(plan), c)
  }
  if (plan.warnings.length > 0) {
    yield ''
    yield* diagnosticLines(plan.warnings, c)
  }
  yield ''
  yield c.bold(planSummaryLine(plan))
}

/**
 * The plan as a person reviews it, like `terraform plan`: header, legend of the symbols
 * used, changed units folded into ranges per cluster and customer (unchanged units only
 * counted), with `showSql` the statements and job inputs, warnings, and the summary line.
 * Pure: colour is decided by the caller.
 */
export function renderPlanHuman(plan: ComputedPlan, options: PlanHumanOptions): string {
  return `${[...planHumanLines(plan, options)].join('\n')}\n`
}
