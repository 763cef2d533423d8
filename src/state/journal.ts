import { UserError } from '../errors.js'
import { checkFormatVersion } from './format-version.js'
import { isObject } from './is-object.js'
import { STATE_FORMAT_VERSION, STEP_KINDS } from './model.js'
import type { StepEvent } from './model.js'

/**
 * `journal.jsonl`: one line per write, `{formatVersion, serial, event}`, where `serial`
 * is the state's serial that write produced. The serial lets a reader skip lines a
 * snapshot already holds (a crash between compaction's rename and its journal rotation).
 */
export interface JournalEntry {
  serial: number
  event: StepEvent
  /** 1-based line number in its file. */
  line: number
}

export interface ParsedJournal {
  entries: JournalEntry[]
  /** Byte length of the intact part: everything after it is a dropped last line. */
  validEnd: number
  warnings: string[]
}

const EVENT_TYPES = new Set(['started', 'succeeded', 'failed', 'progress', 'forgotten'])
const KNOWN_KINDS: ReadonlySet<string> = new Set(STEP_KINDS)
const NEWLINE = 0x0a

export function encodeJournalLine(serial: number, event: StepEvent): string {
  return `${JSON.stringify({ formatVersion: STATE_FORMAT_VERSION, serial, event })}\n`
}

/** What is wrong with `value` as a step event, or undefined when it is one. */
export function stepEventProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'event is not an object'
  if (typeof value.type !== 'string' || !EVENT_TYPES.has(value.type)) return `unknown event type ${JSON.stringify(value.type)}`
  if (typeof value.address !== 'string' || value.address === '') return 'event has no "address"'
  if (typeof value.at !== 'string') return 'event has no "at" time'
  if (value.type === 'forgotten') return undefined
  if (typeof value.kind !== 'string' || !KNOWN_KINDS.has(value.kind)) return `unknown step kind ${JSON.stringify(value.kind)}`
  if (typeof value.attempt !== 'number' || !Number.isInteger(value.attempt) || value.attempt < 1) return 'event has no valid "attempt"'
  if (typeof value.fingerprint !== 'string') return 'event has no "fingerprint"'
  return undefined
}

/**
 * Parses a journal. A line cut short or garbled at the very end is what a crash while
 * writing leaves: it is dropped with a warning. A damaged line before the end is a
 * UserError, because the lines after it may depend on the event it lost.
 */
export function parseJournal(bytes: Buffer, file: string): ParsedJournal {
  const entries: JournalEntry[] = []
  const warnings: string[] = []
  let validEnd = 0
  let damaged: { line: number; problem: string } | undefined
  let line = 0
  for (let start = 0; start < bytes.length; ) {
    line++
    const end = bytes.indexOf(NEWLINE, start)
    const text = bytes.toString('utf8', start, end === -1 ? bytes.length : end)
    start = end === -1 ? bytes.length : end + 1
    if (text.trim() === '') {
      if (!damaged) validEnd = start
      continue
    }
    if (damaged) throw damagedLine(file, damaged.line, damaged.problem)
    if (end === -1) {
      damaged = { line, problem: 'no end of line' }
      break
    }
    const parsed = parseLine(text, `${file}:${line}`)
    if (typeof parsed === 'string') {
      damaged = { line, problem: parsed }
      continue
    }
    entries.push({ ...parsed, line })
    validEnd = start
  }
  if (damaged) {
    warnings.push(`${file}:${damaged.line}: ignored a damaged last line (${damaged.problem}), as a crash or a write in progress leaves one`)
  }
  return { entries, validEnd, warnings }
}

function parseLine(text: string, where: string): { serial: number; event: StepEvent } | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'not valid JSON'
  }
  if (!isObject(value)) return 'not a JSON object'
  const formatProblem = checkFormatVersion(value.formatVersion, where)
  if (formatProblem) return formatProblem
  const { serial, event } = value
  if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 1) return 'missing or invalid "serial"'
  const eventProblem = stepEventProblem(event)
  if (eventProblem) return eventProblem
  return { serial, event: event as StepEvent }
}

function damagedLine(file: string, line: number, problem: string): UserError {
  return new UserError(
    `${file}:${line}: damaged journal line (${problem}); the events after it may depend on it, so bf stops. ` +
      'Repair the line by hand, or delete it to forget the event it recorded',
  )
}
