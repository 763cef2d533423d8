import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { UserError } from '../errors.js'
import { isObject } from './is-object.js'
import { STATE_FORMAT_VERSION, STEP_KINDS } from './model.js'
import type { StateSnapshot } from './model.js'
import { byAddress, parseSnapshotText, snapshotEnd, snapshotHead } from './snapshot-file.js'
import { NotAsWritten, readAsWritten } from './snapshot-read.js'
import type { StateByCustomer } from './store.js'

/*
 * The document `bf state pull` prints and `bf state push` reads is a snapshot as a state
 * folder's `snapshot.json` holds it (`snapshot-file.ts`): a head line
 * `{"formatVersion":1,"lineage":…,"serial":…,"plan":…,"steps":[`, then one step record per
 * line, then `]}`. Pulled from any backend, it can also serve as a state folder's snapshot.
 */

/**
 * The state as a document, a customer at a time: a large state is never whole in memory.
 * Each group's steps are sorted by address. Returns the number of steps.
 */
export async function* stateDocumentChunks(plan: string, state: StateByCustomer): AsyncGenerator<string, number> {
  yield snapshotHead({ formatVersion: STATE_FORMAT_VERSION, lineage: state.lineage, serial: state.serial, plan })
  let count = 0
  for await (const group of state.groups()) {
    const records = [...group.steps.values()].sort(byAddress)
    if (records.length === 0) continue
    yield records.map((record) => `${count++ === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`).join('')
  }
  yield snapshotEnd(count)
  return count
}

const STATUSES: ReadonlySet<string> = new Set(['started', 'succeeded', 'failed'])
const KINDS: ReadonlySet<string> = new Set(STEP_KINDS)

/** What is wrong with `value` as a step record, or undefined when it is one. */
export function stepRecordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a step is not an object'
  if (typeof value.address !== 'string' || value.address === '') return 'a step has no "address"'
  const where = `step ${JSON.stringify(value.address)}`
  if (typeof value.kind !== 'string') return `${where} has no "kind"`
  if (!KINDS.has(value.kind)) return `${where} has an unknown kind ${JSON.stringify(value.kind)}`
  if (typeof value.status !== 'string') return `${where} has no "status"`
  if (!STATUSES.has(value.status)) return `${where} has an unknown status ${JSON.stringify(value.status)}`
  if (typeof value.attempt !== 'number' || !Number.isInteger(value.attempt) || value.attempt < 1) return `${where} has no valid "attempt"`
  if (typeof value.fingerprint !== 'string') return `${where} has no "fingerprint"`
  if (typeof value.startedAt !== 'string') return `${where} has no "startedAt"`
  for (const key of ['inputs', 'outputs'] as const) {
    if (value[key] !== undefined && !isObject(value[key])) return `${where}: "${key}" is not an object`
  }
  return undefined
}

/**
 * Reads a state document (`bf state push FILE`) and checks every record. Laid out as bf
 * writes it, it is read a line at a time; otherwise (edited, reformatted) whole. Anything
 * that is not a bf state is a UserError saying what is wrong.
 */
export async function readStateDocument(file: string): Promise<StateSnapshot> {
  const notAState = (problem: string): UserError => new UserError(`${file} is not a bf state (${problem}); bf state pull PLAN > ${file} writes one`)
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UserError(`${file}: no such file`)
    throw error
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new UserError(`${file} is a folder; give the file bf state pull wrote (a state folder is migrated with bf state migrate PLAN --from ${file})`)
    let snapshot: StateSnapshot
    try {
      snapshot = await readAsWritten(handle, { unique: true })
    } catch (error) {
      if (!(error instanceof NotAsWritten)) throw error
      const { buffer } = await handle.read({ buffer: Buffer.alloc((await handle.stat()).size), position: 0 })
      // Read whole, every record is checked as it is parsed.
      return parseSnapshotText(buffer.toString('utf8'), file, notAState, { problem: stepRecordProblem, unique: true })
    }
    for (const record of snapshot.steps.values()) {
      const problem = stepRecordProblem(record)
      if (problem) throw notAState(problem)
    }
    return snapshot
  } finally {
    await handle.close()
  }
}
