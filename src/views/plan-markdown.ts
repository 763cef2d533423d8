import type { ComputedPlan } from '../engine/plan-model.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { deleteLines } from './delete-lines.js'
import { diffLines } from './diff-lines.js'
import { discoveryLines } from './discovery-text.js'
import { fitMarkdown } from './markdown-budget.js'
import { codeBlock, codeSpan, htmlText, markdownText } from './markdown-text.js'
import { countsPhrase, planSummaryLine, unplannedText } from './plan-totals.js'
import { palette } from './palette.js'
import { reviewEntries } from './review-steps.js'
import { displayId, linesOf, oneLine, printable } from './text.js'
import type { FoldedUnits, UnitRange } from './unit-ranges.js'
import { ACTION_WORDS, actionsUsed, foldUnits, rangeComments, rangeText } from './unit-ranges.js'

export interface PlanMarkdownOptions {
  /** The comment never exceeds this many characters (GitHub allows 65,536). */
  maxChars?: number
}

// In a `diff` block GitHub colours a line by its first character, so symbols start the line.
const SYMBOL: Record<UnitRange['action'], string> = { create: '+', replace: '-/+', rerun: '~', forget: '-' }
const PLAIN = palette(false)

function* heading(plan: ComputedPlan): Generator<string> {
  yield `## bf plan ${codeSpan(oneLine(plan.plan.name))} (${codeSpan(oneLine(plan.plan.file))})`
  yield ''
  yield `**${markdownText(planSummaryLine(plan))}**`
  const description = plan.plan.description.trim()
  if (description !== '') {
    yield ''
    for (const line of linesOf(printable(description))) yield `> ${markdownText(line)}`.trimEnd()
  }
  if (!plan.refreshed) {
    yield ''
    yield '> [!NOTE]'
    yield '> Planned from state alone (`--refresh=false`): live figures and rows to delete are unknown.'
  }
  const discovered = discoveryLines(plan.customers)
  if (discovered.length > 0) yield ''
  for (const line of discovered) yield `- ${markdownText(line)}`
  if (plan.warnings.length > 0) {
    yield ''
    yield '> [!WARNING]'
    for (const warning of plan.warnings) yield `> - ${codeSpan(oneLine(warning.code))} ${markdownText(oneLine(formatDiagnostic(warning)))}`
  }
}

function* legend(folded: FoldedUnits): Generator<string> {
  const shown = actionsUsed(folded)
  if (shown.length === 0) return
  yield ''
  yield `Symbols: ${shown.map((action) => `${codeSpan(SYMBOL[action])} ${ACTION_WORDS[action]}`).join(', ')}.`
}

function* clusterSections(folded: FoldedUnits): Generator<string> {
  for (const cluster of folded.clusters) {
    if (cluster.customers.length === 0 && cluster.summary.unplanned.length === 0) continue
    const lines: string[] = []
    for (const customer of cluster.customers) {
      for (const range of customer.ranges) {
        lines.push(`${SYMBOL[range.action]} ${displayId(customer.customer)} ${rangeText(range, folded.noun)}`)
        for (const comment of rangeComments(range)) lines.push(`      # ${comment}`)
        if (range.inputsDiff) for (const line of diffLines(range.inputsDiff.text, '        ', PLAIN)) lines.push(line)
      }
    }
    for (const group of cluster.summary.unplanned) lines.push(`${SYMBOL.forget} ${unplannedText(group)}`)
    yield ''
    yield `<details><summary><b>${htmlText(displayId(cluster.summary.cluster))}</b>: ${htmlText(countsPhrase(cluster.summary))}</summary>`
    yield ''
    yield* codeBlock('diff', lines)
    yield ''
    yield '</details>'
  }
}

function* deletesSection(plan: ComputedPlan): Generator<string> {
  const lines = deleteLines(plan)
  if (lines.length === 0) return
  yield ''
  yield '<details><summary>Deletes, and the parts of the target they rewrite</summary>'
  yield ''
  for (const line of lines) yield `- ${markdownText(line)}`
  yield ''
  yield '</details>'
}

function* statements(plan: ComputedPlan): Generator<string> {
  const entries = reviewEntries(plan)
  if (entries.length === 0) return
  yield ''
  yield '<details><summary>Statements and job inputs</summary>'
  for (const entry of entries) {
    yield ''
    yield `${codeSpan(oneLine(entry.address))} — ${markdownText(entry.note)}`
    for (const block of entry.blocks) {
      yield ''
      yield* codeBlock(block.language === 'text' ? '' : block.language, block.lines)
    }
  }
  yield ''
  yield '</details>'
}

function* planMarkdownLines(plan: ComputedPlan): Generator<string> {
  yield* heading(plan)
  if (!plan.summary.hasChanges) return
  const folded = foldUnits(plan)
  yield* legend(folded)
  yield* clusterSections(folded)
  yield* deletesSection(plan)
  yield* statements(plan)
}

/**
 * The plan as a pull-request comment: title and summary line first, warnings, then one
 * folded `<details>` section per cluster with the same ranges as the terminal, then the
 * statements and job inputs. Never longer than `maxChars` (default 60,000): a cut
 * comment closes what it opened and ends with a note on how much was left out.
 */
export function renderPlanMarkdown(plan: ComputedPlan, options: PlanMarkdownOptions = {}): string {
  return fitMarkdown(planMarkdownLines(plan), options.maxChars ?? 60_000)
}
