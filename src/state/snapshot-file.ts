import path from 'node:path'
import { UserError } from '../errors.js'
import { checkFormatVersion } from './format-version.js'
import { isObject } from './is-object.js'
import type { StateSnapshot, StepRecord } from './model.js'

/**
 * `snapshot.json`: `{formatVersion, lineage, serial, plan, steps: [...]}` with one step
 * per line, sorted by address, so that the file reads and diffs well.
 */
export function encodeSnapshot(snapshot: StateSnapshot): string {
  return [...snapshotChunks(snapshot)].join('')
}

/** `encodeSnapshot` a line at a time: a state of a million steps is larger than the longest string JavaScript holds. */
export function* snapshotChunks(snapshot: StateSnapshot): Generator<string> {
  const steps = [...snapshot.steps.values()].sort(byAddress)
  yield snapshotHead(snapshot)
  for (let i = 0; i < steps.length; i++) yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(steps[i])}`
  yield snapshotEnd(steps.length)
}

/** Records in the order a snapshot lists them. */
export function byAddress(a: StepRecord, b: StepRecord): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0
}

/** The snapshot's first line, up to the opening of its steps (the line break comes with the first step). */
export function snapshotHead(snapshot: Omit<StateSnapshot, 'steps'>): string {
  const head = JSON.stringify({
    formatVersion: snapshot.formatVersion,
    lineage: snapshot.lineage,
    serial: snapshot.serial,
    plan: snapshot.plan,
  })
  return `${head.slice(0, -1)},"steps":[`
}

/** What closes a snapshot of `stepCount` steps. */
export function snapshotEnd(stepCount: number): string {
  return `${stepCount > 0 ? '\n' : ''}]}\n`
}

/** How strictly `parseSnapshotText` takes a snapshot's steps. */
export interface StepChecks {
  /** What is wrong with the `index`-th step, or undefined. */
  problem(step: unknown, index: number): string | undefined
  /** A step given twice is wrong (otherwise the later one counts). */
  unique: boolean
}

/** `snapshot.json` checks its steps' addresses only: the journal after it may complete them. */
const ADDRESSES_ONLY: StepChecks = {
  problem: (step, index) => (isObject(step) && typeof step.address === 'string' ? undefined : `step ${index + 1} has no "address"`),
  unique: false,
}

/**
 * Parses the whole text of a snapshot (`snapshot.json`, a document `bf state pull` wrote);
 * `fail` makes the error of a problem found, worded for where the text came from.
 */
export function parseSnapshotText(text: string, file: string, fail: (problem: string) => UserError, steps: StepChecks = ADDRESSES_ONLY): StateSnapshot {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // The parser's message quotes the text around the fault, line breaks included: keep the message on one line.
    throw fail(`not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`)
  }
  if (!isObject(value)) throw fail('not a JSON object')
  const formatProblem = checkFormatVersion(value.formatVersion, file)
  if (formatProblem) throw fail(formatProblem)
  const { lineage, serial, plan, steps: list } = value
  if (typeof lineage !== 'string' || lineage === '') throw fail('no "lineage"')
  if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 0) throw fail('no valid "serial"')
  if (typeof plan !== 'string' || plan === '') throw fail('no "plan"')
  if (!Array.isArray(list)) throw fail('no "steps" list')
  const records = new Map<string, StepRecord>()
  for (const [index, step] of list.entries()) {
    const problem = steps.problem(step, index)
    if (problem) throw fail(problem)
    const record = step as unknown as StepRecord
    if (steps.unique && records.has(record.address)) throw fail(`step ${JSON.stringify(record.address)} is given twice`)
    records.set(record.address, record)
  }
  return { formatVersion: value.formatVersion as number, lineage, serial, plan, steps: records }
}

/**
 * Parses `snapshot.json`. A file that is not a snapshot is a UserError saying how to
 * get a good one back; `backupExists` says whether `snapshot.json.bak` can be offered.
 */
export function parseSnapshot(text: string, file: string, backupExists: boolean): StateSnapshot {
  const damaged = (problem: string): UserError => {
    const backup = `${file}.bak`
    const remedy = backupExists
      ? `restore the previous one with: cp ${backup} ${file} (bf then replays the events recorded since from ${path.join(path.dirname(file), 'journal.jsonl.bak')} and journal.jsonl)`
      : `undo the edit by hand; there is no ${path.basename(backup)} to restore from`
    return new UserError(`${file} is damaged (${problem}); ${remedy}`)
  }
  return parseSnapshotText(text, file, damaged)
}
