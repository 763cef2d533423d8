import { UserError } from '../../errors.js'
import { stepEventProblem } from '../journal.js'
import { applyEvent } from '../model.js'
import type { StepEvent, StepRecord } from '../model.js'
import { NotAsWritten, parseRecord } from '../snapshot-read.js'
import type { RecordReader } from '../snapshot-read.js'
import type { StepGroup } from '../store.js'
import type { FenceRule } from './state-rows.js'

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
export async function* foldGroups(rows: AsyncIterable<StepRow>, fences: FenceRule, tally: FoldTally, where: string, reader: RecordReader): AsyncGenerator<StepGroup> {
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
      current.steps.set(row.address, recordOf(row, where, reader))
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

/** A record's body, read as the file backend reads its snapshot's lines: inputs seen before are not parsed again. */
function recordOf(row: StepRow, where: string, reader: RecordReader): StepRecord {
  let record: StepRecord
  try {
    record = parseRecord(row.body, reader)
  } catch (error) {
    if (error instanceof NotAsWritten) throw badRow(row, where, 'its body is not a JSON object')
    throw error
  }
  if (record.address !== row.address) throw badRow(row, where, 'another address')
  return record
}

function parseBody<T>(row: StepRow, where: string): T {
  let value: unknown
  try {
    value = JSON.parse(row.body)
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null) throw badRow(row, where, 'its body is not a JSON object')
  if ((value as { address?: unknown }).address !== row.address) throw badRow(row, where, 'another address')
  return value as T
}

function badRow(row: StepRow, where: string, problem: string): UserError {
  return new UserError(`${where}: the row of ${row.address} at serial ${row.serial} is not a step bf wrote (${problem}); restore the table from a backup, or remove that row`)
}
