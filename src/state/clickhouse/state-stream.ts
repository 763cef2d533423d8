import { UserError } from '../../errors.js'
import { stepEventProblem } from '../journal.js'
import { applyEvent } from '../model.js'
import type { StepEvent, StepRecord } from '../model.js'
import type { StepGroup } from '../store.js'
import type { FenceRule } from './state-rows.js'

/** The columns of a step row, in the order `stepRows` reads them. */
export const STEP_ROW_COLUMNS = 'group_key, address, serial, epoch, what, lineage, body'

/** A step row as a reader folds it. */
export interface StepRow {
  group_key: string
  address: string
  serial: number
  epoch: number
  what: 'event' | 'record'
  lineage: string
  body: string
}

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', '0': '\0' }

/** A String field of TabSeparated output: the server escapes backslash, tab, line breaks and a few more with a backslash. */
function unescapeField(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, (_match, char: string) => ESCAPED[char] ?? char) : text
}

/** Step rows from the TabSeparated lines of a `SELECT ${STEP_ROW_COLUMNS}`. */
export async function* stepRows(lines: AsyncIterable<string>, where: string): AsyncGenerator<StepRow> {
  for await (const line of lines) {
    const fields = line.split('\t')
    if (fields.length !== 7) throw new UserError(`${where}: a row that is not a step row (${fields.length} fields); restore the table from a backup`)
    const [groupKey, address, serial, epoch, what, lineage, body] = fields as [string, string, string, string, string, string, string]
    yield {
      group_key: unescapeField(groupKey),
      address: unescapeField(address),
      serial: Number(serial),
      epoch: Number(epoch),
      what: what as StepRow['what'],
      lineage: unescapeField(lineage),
      body: unescapeField(body),
    }
  }
}

/** What a fold saw besides the steps: the last serial that counted, and every lineage. */
export interface FoldTally {
  serial: number
  /** Transitions that counted. */
  events: number
  lineages: Set<string>
}

/**
 * Folds step rows, sorted by group, address and serial, into groups of step records, one
 * group at a time. Rows the fencing rule rejects are skipped, and so is a row repeated
 * (same address and serial: an INSERT sent twice).
 */
export async function* foldGroups(rows: AsyncIterable<StepRow>, fences: FenceRule, tally: FoldTally, where: string): AsyncGenerator<StepGroup> {
  let current: StepGroup | undefined
  let last = { address: '', serial: -1 }
  for await (const row of rows) {
    const serial = row.serial
    if (row.what === 'event' && !fences.counts(serial, row.epoch)) continue
    if (row.address === last.address && serial === last.serial) continue
    last = { address: row.address, serial }
    if (current?.key !== row.group_key) {
      if (current && current.steps.size > 0) yield current
      current = { key: row.group_key, steps: new Map() }
    }
    tally.lineages.add(row.lineage)
    if (row.what === 'record') {
      current.steps.set(row.address, parseBody<StepRecord>(row, where))
    } else {
      tally.serial = Math.max(tally.serial, serial)
      tally.events++
      const event = parseBody<StepEvent>(row, where)
      const problem = stepEventProblem(event)
      if (problem) throw badRow(row, where, problem)
      applyEvent(current.steps, event)
    }
  }
  if (current && current.steps.size > 0) yield current
}

function parseBody<T>(row: StepRow, where: string): T {
  try {
    const value = JSON.parse(row.body) as unknown
    if (typeof value !== 'object' || value === null || (value as { address?: unknown }).address !== row.address) throw new Error('another address')
    return value as T
  } catch (error) {
    throw badRow(row, where, (error as Error).message)
  }
}

function badRow(row: StepRow, where: string, problem: string): UserError {
  return new UserError(`${where}: the row of ${row.address} at serial ${row.serial} is not a step bf wrote (${problem}); restore the table from a backup, or remove that row`)
}
