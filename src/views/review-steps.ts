import type { ComputedPlan, PlannedStep } from '../engine/plan-model.js'
import type { JsonValue } from '../state/model.js'
import { stepRewriteText } from './delete-lines.js'
import { linesOf, oneLine, plural, printable } from './text.js'
import { yamlLines } from './yaml-block.js'

/** A piece of text to show verbatim: a statement, a manifest, or inputs as YAML. */
export interface ReviewBlock {
  language: 'sql' | 'yaml' | 'text'
  lines: string[]
}

/** One step shown for review with `--show-sql` and in pull-request comments. */
export interface ReviewEntry {
  address: string
  /** `~123,456 rows`, `first of 49 jobs`. */
  note: string
  blocks: ReviewBlock[]
}

function inputBlocks(inputs: Record<string, JsonValue>): ReviewBlock[] {
  const { preview, sql, ...rest } = inputs
  // A launcher's preview is exactly what will run; the inputs it was made from add nothing.
  if (typeof preview === 'string') return [{ language: 'text', lines: linesOf(printable(preview)) }]
  const blocks: ReviewBlock[] = []
  if (typeof sql === 'string') blocks.push({ language: 'sql', lines: linesOf(printable(sql)) })
  else if (sql !== undefined) rest.sql = sql
  if (preview !== undefined) rest.preview = preview
  if (Object.keys(rest).length > 0) blocks.push({ language: 'yaml', lines: yamlLines(rest) })
  return blocks
}

/** A delete is its statement, bound parameters and settings; the rest of its inputs restate the statement. */
function deleteBlocks(inputs: Record<string, JsonValue>): ReviewBlock[] {
  const { sql, params, settings } = inputs
  if (typeof sql !== 'string') return inputBlocks(inputs)
  const bound: Record<string, JsonValue> = {}
  if (params !== undefined) bound.params = params
  if (settings !== undefined) bound.settings = settings
  const blocks: ReviewBlock[] = [{ language: 'sql', lines: linesOf(printable(sql)) }]
  if (Object.keys(bound).length > 0) blocks.push({ language: 'yaml', lines: yamlLines(bound) })
  return blocks
}

/** `~1,200 rows; job.sql changed`: the rows it removes, then why it runs. */
function deleteNote(step: PlannedStep): string {
  const rewrite = stepRewriteText(step)
  const rows = `${step.estimatedRows === undefined ? 'rows unknown' : `~${plural(step.estimatedRows, 'row')}`}${rewrite ? `; ${rewrite}` : ''}`
  return step.reasons === undefined || step.reasons.length === 0 ? rows : `${rows}; ${step.reasons.map(oneLine).join('; ')}`
}

/**
 * What a reviewer must see before approving: every delete statement with its
 * parameters, settings and estimated rows, and the inputs of each customer's first job
 * (the others differ only in their batch). Grouped by customer, in plan order.
 */
export function reviewEntries(plan: ComputedPlan): ReviewEntry[] {
  const byCustomer = new Map<string, { deletes: PlannedStep[]; jobs: PlannedStep[] }>()
  for (const step of plan.steps) {
    if (step.kind !== 'delete' && step.kind !== 'job') continue
    const key = `${step.cluster}\u0000${step.customer ?? ''}`
    let group = byCustomer.get(key)
    if (!group) byCustomer.set(key, (group = { deletes: [], jobs: [] }))
    if (step.kind === 'delete') group.deletes.push(step)
    else group.jobs.push(step)
  }
  const entries: ReviewEntry[] = []
  for (const { deletes, jobs } of byCustomer.values()) {
    for (const step of deletes) entries.push({ address: step.address, note: deleteNote(step), blocks: deleteBlocks(step.inputs) })
    const first = jobs[0]
    if (first) {
      const note = jobs.length === 1 ? '1 job' : `first of ${plural(jobs.length, 'job')}`
      entries.push({ address: first.address, note, blocks: inputBlocks(first.inputs) })
    }
  }
  return entries
}
