import { open } from 'node:fs/promises'
import type { JournalEntry } from './journal.js'
import { loadState, readJournalTail } from './load-state.js'
import { openIfExists } from './open-if-exists.js'
import { applyEvent } from './model.js'
import type { StateSnapshot, StepRecord } from './model.js'
import { lineBatches, NotAsWritten, parseHead, parseRecord, recordReader, recordText, STEPS_END_LINE } from './snapshot-read.js'
import type { RecordReader } from './snapshot-read.js'
import type { StateFiles } from './state-files.js'
import { StateOrderError } from './state-order-error.js'
import type { StateByCustomer, StepGroup } from './store.js'

/** The group of a step address: its first two parts and the slash after them (`cluster/customer/`), or the whole address when it has fewer. */
export function groupKeyOf(address: string): string {
  const first = address.indexOf('/')
  const second = first === -1 ? -1 : address.indexOf('/', first + 1)
  return second === -1 ? address : address.slice(0, second + 1)
}

/** Every group of an in-memory state, each once. */
export function* groupsOf(steps: ReadonlyMap<string, StepRecord>): Generator<StepGroup> {
  const groups = new Map<string, Map<string, StepRecord>>()
  for (const [address, record] of steps) {
    const key = groupKeyOf(address)
    let group = groups.get(key)
    if (!group) {
      group = new Map()
      groups.set(key, group)
    }
    group.set(address, record)
  }
  for (const [key, group] of groups) yield { key, steps: group }
}

/** A state read whole, served a group at a time. */
export function byCustomerFromSnapshot(snapshot: StateSnapshot, warnings: string[] = []): StateByCustomer {
  return { lineage: snapshot.lineage, serial: snapshot.serial, warnings, groups: () => groupsOf(snapshot.steps) }
}

/**
 * Reads a state a customer at a time: the snapshot is read line by line and each group of
 * lines sharing a `cluster/customer/` prefix — contiguous in a snapshot bf wrote, whose
 * records are sorted by address — is handed out with the journal's events for it applied,
 * then let go. A state of a million steps is never whole in memory. A snapshot that is not
 * laid out as bf writes it is read whole first; one found out of order only while its
 * groups are handed out makes the iteration throw `StateOrderError`.
 */
export async function readStateByCustomer(files: StateFiles, planName: string): Promise<StateByCustomer> {
  const headLine = await readHeadLine(files.snapshot)
  if (headLine === undefined) return byCustomerFromLoad(files, planName)
  let head: StateSnapshot
  try {
    head = parseHead(headLine)
  } catch (error) {
    if (error instanceof NotAsWritten) return byCustomerFromLoad(files, planName)
    throw error
  }
  const tail = await readJournalTail(files, planName, head)
  const journal = journalByGroup(tail.pending)
  return {
    lineage: head.lineage,
    serial: tail.serial,
    warnings: tail.loaded.warnings,
    groups: () => streamGroups(files.snapshot, headLine, journal),
  }
}

const HEAD_BYTES = 1 << 16

/** The snapshot's first line; undefined without a snapshot, or when its first line is not a head as bf writes it. */
export async function readHeadLine(file: string): Promise<string | undefined> {
  const handle = await openIfExists(file)
  if (!handle) return undefined
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(HEAD_BYTES), position: 0 })
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a)
    return end === -1 ? undefined : buffer.toString('utf8', 0, end)
  } finally {
    await handle.close()
  }
}

async function byCustomerFromLoad(files: StateFiles, planName: string): Promise<StateByCustomer> {
  const loaded = await loadState(files, planName)
  return byCustomerFromSnapshot(loaded.snapshot, loaded.warnings)
}

/** The journal's events by group, each group's in serial order. */
function journalByGroup(pending: readonly JournalEntry[]): Map<string, JournalEntry[]> {
  const groups = new Map<string, JournalEntry[]>()
  for (const entry of pending) {
    const key = groupKeyOf(entry.event.address)
    const events = groups.get(key)
    if (events) events.push(entry)
    else groups.set(key, [entry])
  }
  return groups
}

async function* streamGroups(file: string, headLine: string, journal: Map<string, JournalEntry[]>): AsyncGenerator<StepGroup> {
  // Records are let go with their customer: sharing their parts would only cost time.
  const reader = recordReader({ shareValues: false })
  const handedOut = new Set<string>()
  let current: StepGroup | undefined
  let head = true
  let closed = false
  const finish = (group: StepGroup): StepGroup => {
    handedOut.add(group.key)
    for (const entry of journal.get(group.key) ?? []) applyEvent(group.steps, entry.event)
    return group
  }
  const handle = await open(file, 'r')
  try {
    for await (const batch of lineBatches(handle)) {
      for (const line of batch) {
        if (head) {
          // A compaction may have replaced the snapshot since its head was read.
          if (line !== headLine) throw new StateOrderError('the snapshot changed while it was read')
          head = false
        } else if (closed) {
          if (line.trim() !== '') throw new StateOrderError('text after the end of the steps')
        } else if (line === STEPS_END_LINE) {
          closed = true
        } else {
          const record = parseStep(line, reader)
          const key = groupKeyOf(record.address)
          if (current?.key !== key) {
            if (current) yield finish(current)
            if (handedOut.has(key)) throw new StateOrderError(`the steps of ${key} are not together`)
            current = { key, steps: new Map() }
          }
          current.steps.set(record.address, record)
        }
      }
    }
    if (!closed) throw new StateOrderError('no end of the steps')
    if (current) yield finish(current)
    // Steps recorded only in the journal, under groups the snapshot does not have.
    for (const key of journal.keys()) {
      if (handedOut.has(key)) continue
      const group = finish({ key, steps: new Map() })
      if (group.steps.size > 0) yield group
    }
  } finally {
    await handle.close()
  }
}

function parseStep(line: string, reader: RecordReader): StepRecord {
  try {
    return parseRecord(recordText(line), reader)
  } catch (error) {
    if (error instanceof NotAsWritten) throw new StateOrderError('a line that is not one step')
    throw error
  }
}
