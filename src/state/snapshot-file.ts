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
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // The parser's message quotes the text around the fault, line breaks included: keep the message on one line.
    throw damaged(`not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`)
  }
  if (!isObject(value)) throw damaged('not a JSON object')
  const formatProblem = checkFormatVersion(value.formatVersion, file)
  if (formatProblem) throw damaged(formatProblem)
  const { lineage, serial, plan, steps } = value
  if (typeof lineage !== 'string' || lineage === '') throw damaged('missing "lineage"')
  if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 0) throw damaged('missing or invalid "serial"')
  if (typeof plan !== 'string') throw damaged('missing "plan"')
  if (!Array.isArray(steps)) throw damaged('missing "steps" array')
  const records = new Map<string, StepRecord>()
  for (const [index, step] of steps.entries()) {
    if (!isObject(step) || typeof step.address !== 'string') throw damaged(`step ${index + 1} has no "address"`)
    records.set(step.address, step as unknown as StepRecord)
  }
  return { formatVersion: value.formatVersion as number, lineage, serial, plan, steps: records }
}
