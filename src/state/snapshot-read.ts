import type { FileHandle } from 'node:fs/promises'
import { checkFormatVersion } from './format-version.js'
import { isObject } from './is-object.js'
import { JsonInterner } from './json-interner.js'
import type { JsonValue, StateSnapshot, StepRecord } from './model.js'
import { openIfExists } from './open-if-exists.js'
import { parseSnapshot } from './snapshot-file.js'

const CHUNK_BYTES = 1 << 20
const NEWLINE = 0x0a
const STEPS_OPEN = ',"steps":['

/** Stops the fast reading: the file is not laid out as `encodeSnapshot` writes it. */
export class NotAsWritten extends Error {}

/**
 * Reads `snapshot.json`; undefined when there is none. A snapshot laid out as bf writes it
 * (`encodeSnapshot`: a head line, then one step per line) is read a chunk and a line at a
 * time, so its size is bounded by memory for its records rather than by the longest string
 * JavaScript holds, and steps with equal inputs share one inputs object. Anything else (a
 * file edited by hand) is read whole and parsed by `parseSnapshot`, which also words every
 * error.
 */
export async function readSnapshot(file: string, backupExists: () => Promise<boolean>): Promise<StateSnapshot | undefined> {
  const handle = await openIfExists(file)
  if (!handle) return undefined
  try {
    try {
      return await readAsWritten(handle)
    } catch (error) {
      if (!(error instanceof NotAsWritten)) throw error
    }
    const { buffer } = await handle.read({ buffer: Buffer.alloc((await handle.stat()).size), position: 0 })
    return parseSnapshot(buffer.toString('utf8'), file, await backupExists())
  } finally {
    await handle.close()
  }
}

/**
 * A snapshot laid out as bf writes it, read a batch of lines at a time; `NotAsWritten` for
 * any other layout, and with `unique` for a step given twice.
 */
export async function readAsWritten(handle: FileHandle, options: { unique?: boolean } = {}): Promise<StateSnapshot> {
  let head: StateSnapshot | undefined
  let closed = false
  const reader = recordReader({ shareValues: true })
  for await (const batch of lineBatches(handle)) {
    for (const line of batch) {
      if (closed) {
        if (line.trim() !== '') throw new NotAsWritten()
      } else if (head === undefined) {
        head = parseHead(line)
      } else if (line === STEPS_END_LINE) {
        closed = true
      } else {
        const record = parseRecord(recordText(line), reader)
        if (options.unique && head.steps.has(record.address)) throw new NotAsWritten()
        head.steps.set(record.address, record)
      }
    }
  }
  if (!head || !closed) throw new NotAsWritten()
  return head
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new NotAsWritten()
  }
}

/** The head line of a snapshot laid out as written (`{formatVersion, lineage, serial, plan,"steps":[`), with no steps yet. */
export function parseHead(line: string): StateSnapshot {
  if (!line.endsWith(STEPS_OPEN)) throw new NotAsWritten()
  const value = parseJson(`${line.slice(0, -STEPS_OPEN.length)}}`)
  if (!isObject(value)) throw new NotAsWritten()
  const { formatVersion, lineage, serial, plan } = value
  // Newer formats and every other fault are reported by the whole-file parse.
  if (typeof formatVersion !== 'number' || checkFormatVersionQuietly(formatVersion)) throw new NotAsWritten()
  if (typeof lineage !== 'string' || lineage === '') throw new NotAsWritten()
  if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 0) throw new NotAsWritten()
  if (typeof plan !== 'string') throw new NotAsWritten()
  return { formatVersion, lineage, serial, plan, steps: new Map() }
}

/** True when `checkFormatVersion` would find a problem or refuse the version. */
function checkFormatVersionQuietly(formatVersion: number): boolean {
  try {
    return checkFormatVersion(formatVersion, '') !== undefined
  } catch {
    return true
  }
}

const INPUTS_KEY = ',"inputs":'
/** Inputs texts remembered: enough for every distinct verify or delete input of a plan, few enough to stay small. */
const INPUTS_TEXTS_MAX = 4096

/**
 * Parses one step line. A record's inputs usually come last, and those of every step but a
 * job (whose inputs name its unit) repeat from line to line: a text seen before is not
 * parsed again. `,"inputs":` cannot occur inside a string (its quote would be escaped),
 * and the line without it parsing as an object places it at the top level; the text after
 * it then is the value of the record's last key. Only texts of a length seen before are
 * looked up, so that a job's line costs no lookup.
 */
export function parseRecord(text: string, reader: RecordReader): StepRecord {
  let value: unknown
  const at = text.lastIndexOf(INPUTS_KEY)
  const inputsLength = at > 0 && text.endsWith('}') ? text.length - at - INPUTS_KEY.length - 1 : -1
  const inputsText = reader.inputsLengths.has(inputsLength) ? text.slice(at + INPUTS_KEY.length, -1) : undefined
  const known = inputsText === undefined ? undefined : reader.inputsByText.get(inputsText)
  if (known !== undefined) {
    value = parseJson(`${text.slice(0, at)}}`)
    if (!isObject(value)) throw new NotAsWritten()
    value.inputs = known
  } else {
    value = parseJson(text)
    if (!isObject(value)) throw new NotAsWritten()
    if (isObject(value.inputs)) {
      if (reader.interner) value.inputs = reader.interner.value(value.inputs as JsonValue)
      const remember = inputsLength >= 0 && value.kind !== 'job' && reader.inputsByText.size < INPUTS_TEXTS_MAX && Object.keys(value).at(-1) === 'inputs'
      if (remember && isObjectText(`${text.slice(0, at)}}`)) {
        reader.inputsByText.set(inputsText ?? text.slice(at + INPUTS_KEY.length, -1), value.inputs as JsonValue)
        reader.inputsLengths.add(inputsLength)
      }
    }
  }
  if (typeof value.address !== 'string') throw new NotAsWritten()
  const { interner } = reader
  if (interner) {
    if (typeof value.kind === 'string') value.kind = interner.string(value.kind)
    if (typeof value.status === 'string') value.status = interner.string(value.status)
    // A job's fingerprint is its own; those of other steps repeat from customer to customer.
    if (typeof value.fingerprint === 'string' && value.kind !== 'job') value.fingerprint = interner.string(value.fingerprint)
  }
  return value as unknown as StepRecord
}

function isObjectText(text: string): boolean {
  try {
    return isObject(JSON.parse(text))
  } catch {
    return false
  }
}

/** What parsing one snapshot's records shares from line to line. */
export interface RecordReader {
  /** Shares equal parts of records kept together in memory; absent for records let go one customer at a time. */
  interner?: JsonInterner
  inputsByText: Map<string, JsonValue>
  inputsLengths: Set<number>
}

export function recordReader(options: { shareValues: boolean }): RecordReader {
  return { ...(options.shareValues ? { interner: new JsonInterner() } : {}), inputsByText: new Map(), inputsLengths: new Set() }
}

/** The line between the head and the records' end is a record, written with a comma after all but the last. */
export const STEPS_END_LINE = ']}'

/** A record line as `encodeSnapshot` writes it, without its trailing comma. */
export function recordText(line: string): string {
  return line.endsWith(',') ? line.slice(0, -1) : line
}

/** The file's lines, without their line breaks, read `CHUNK_BYTES` at a time: the lines of each read together. */
export async function* lineBatches(handle: FileHandle): AsyncGenerator<string[]> {
  const chunk = Buffer.alloc(CHUNK_BYTES)
  let carried: Buffer = Buffer.alloc(0)
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position)
    if (bytesRead === 0) break
    position += bytesRead
    const bytes = carried.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carried, chunk.subarray(0, bytesRead)])
    const batch: string[] = []
    let start = 0
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      batch.push(bytes.toString('utf8', start, end))
      start = end + 1
    }
    carried = Buffer.from(bytes.subarray(start))
    yield batch
  }
  if (carried.length > 0) yield [carried.toString('utf8')]
}
