import { access } from 'node:fs/promises'
import { UserError } from '../errors.js'
import { isObject } from './is-object.js'
import { applyEvent, STATE_FORMAT_VERSION } from './model.js'
import type { StateSnapshot } from './model.js'
import { parseJournal } from './journal.js'
import type { JournalEntry } from './journal.js'
import { openIfExists, readIfExists } from './open-if-exists.js'
import { readSnapshot } from './snapshot-read.js'
import type { StateFiles } from './state-files.js'

/** A state as read from its files, with what a writer needs to go on from it. */
export interface LoadedState {
  snapshot: StateSnapshot
  /** False when there is no `snapshot.json` yet: the state has never been written. */
  exists: boolean
  /** Serial of `snapshot.json` itself (before the journal). */
  snapshotSerial: number
  /** Byte size of `journal.jsonl`, and of its intact part. */
  journalBytes: number
  journalValidEnd: number
  warnings: string[]
}

/**
 * Reads `snapshot.json` and replays the journal on it. Journal lines whose serial the
 * snapshot already holds are skipped; the rest must continue the serials without a
 * gap. A gap right after the snapshot is filled from `journal.jsonl.bak` when it can
 * be: that is the case after `snapshot.json.bak` was restored, or when a compaction
 * ran between reading the snapshot and reading the journal.
 */
export async function loadState(files: StateFiles, planName: string): Promise<LoadedState> {
  const snapshot = await readSnapshot(files.snapshot, () => exists(files.snapshotBackup))
  const tail = await readJournalTail(files, planName, snapshot)
  if (snapshot === undefined) {
    const empty = { formatVersion: STATE_FORMAT_VERSION, lineage: '', serial: 0, plan: planName, steps: new Map() }
    return { ...tail.loaded, snapshot: empty, exists: false, snapshotSerial: 0 }
  }
  const snapshotSerial = snapshot.serial
  for (const entry of tail.pending) applyEvent(snapshot.steps, entry.event)
  snapshot.serial = tail.serial
  return { ...tail.loaded, snapshot, exists: true, snapshotSerial }
}

/** What the journal adds to a snapshot: its events after the snapshot's serial, checked to follow it without a gap. */
export interface JournalTail {
  pending: JournalEntry[]
  /** The state's serial once `pending` is replayed. */
  serial: number
  loaded: Pick<LoadedState, 'journalBytes' | 'journalValidEnd' | 'warnings'>
}

/**
 * Reads `journal.jsonl` for the snapshot whose head is `head` (undefined when there is no
 * snapshot). Journal lines whose serial the snapshot already holds are skipped; the rest
 * must continue the serials without a gap. A gap right after the snapshot is filled from
 * `journal.jsonl.bak` when it can be: that is the case after `snapshot.json.bak` was
 * restored, or when a compaction ran between reading the snapshot and reading the journal.
 */
export async function readJournalTail(files: StateFiles, planName: string, head: Pick<StateSnapshot, 'plan' | 'serial'> | undefined): Promise<JournalTail> {
  const journalBytes = (await readIfExists(files.journal)) ?? Buffer.alloc(0)
  const journal = parseJournal(journalBytes, files.journal)
  const loaded = {
    journalBytes: journalBytes.length,
    journalValidEnd: journal.validEnd,
    warnings: journal.warnings,
  }
  if (head === undefined) {
    if (journal.entries.length > 0) throw await missingSnapshot(files)
    return { pending: [], serial: 0, loaded }
  }
  if (head.plan !== planName) {
    throw new UserError(`${files.snapshot} is the state of plan "${head.plan}", not "${planName}"; give each plan its own state directory`)
  }
  const snapshotSerial = head.serial
  // Lines the snapshot already holds can only lead the journal (see JournalEntry).
  const firstPending = journal.entries.findIndex((entry) => entry.serial > snapshotSerial)
  let pending = firstPending === -1 ? [] : journal.entries.slice(firstPending)
  if (pending[0]?.serial !== snapshotSerial + 1) {
    const recovered = await recoverFromJournalBackup(files, snapshotSerial, pending[0]?.serial)
    if (recovered.length > 0) {
      loaded.warnings.push(
        `replayed ${recovered.length} event(s) from ${files.journalBackup}: ${files.snapshot} is older than the last compaction (restored from ${files.snapshotBackup}?)`,
      )
      pending = [...recovered, ...pending]
    }
  }
  let serial = snapshotSerial
  for (const entry of pending) {
    if (entry.serial !== serial + 1) {
      const what = entry.serial > serial + 1 ? `events ${serial + 1}..${entry.serial - 1} are missing` : 'serials go backwards'
      throw new UserError(
        `${files.journal}:${entry.line}: journal line has serial ${entry.serial} after serial ${serial}: ${what}. ` +
          'The state files do not belong together; restore them from a backup',
      )
    }
    serial = entry.serial
  }
  return { pending, serial, loaded }
}

/** Events of `journal.jsonl.bak` after `serial`, if they reach up to `nextSerial` (or its end). */
async function recoverFromJournalBackup(files: StateFiles, serial: number, nextSerial: number | undefined): Promise<JournalEntry[]> {
  // After a compaction the backup ends where the snapshot starts: its last line says so without reading the rest.
  const last = await lastLineSerial(files.journalBackup)
  if (last === null || (last !== undefined && last <= serial)) return []
  const bytes = await readIfExists(files.journalBackup)
  if (bytes === undefined) return []
  const entries = parseJournal(bytes, files.journalBackup).entries.filter((entry) => entry.serial > serial)
  const final = entries.at(-1)
  if (final === undefined || (nextSerial !== undefined && final.serial !== nextSerial - 1)) return []
  return entries
}

const TAIL_BYTES = 1 << 16

/** The serial of a journal's last line, read from the file's end; null without the file, undefined when that line does not say. */
async function lastLineSerial(file: string): Promise<number | null | undefined> {
  const handle = await openIfExists(file)
  if (!handle) return null
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, TAIL_BYTES)
    const { buffer } = await handle.read({ buffer: Buffer.alloc(length), position: size - length })
    const text = buffer.toString('utf8').trimEnd()
    const start = text.lastIndexOf('\n') + 1
    if (start === 0 && length < size) return undefined
    const line: unknown = JSON.parse(text.slice(start))
    const serial = isObject(line) ? line.serial : undefined
    return typeof serial === 'number' && Number.isInteger(serial) ? serial : undefined
  } catch {
    return undefined
  } finally {
    await handle.close()
  }
}

async function missingSnapshot(files: StateFiles): Promise<UserError> {
  const remedy = (await exists(files.snapshotBackup))
    ? `restore it with: cp ${files.snapshotBackup} ${files.snapshot}`
    : 'restore it from a backup, or move the state directory aside to start over'
  return new UserError(`${files.journal} has events but ${files.snapshot} is missing; ${remedy}`)
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
