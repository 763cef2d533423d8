import { groupKeyOf } from '../read-by-customer.js'
import type { StepEvent, StepRecord } from '../model.js'

/** A row of the state table as bf writes it (`written_at` is the server's). */
export interface StateRow {
  plan: string
  is_step: 0 | 1
  generation: number
  group_key: string
  address: string
  serial: number
  epoch: number
  what: 'event' | 'record' | 'take' | 'generation' | 'pause' | 'resume'
  lineage: string
  body: string
}

/** Where a writer stands: the generation its rows go to, the lineage they carry, the serial of the last one, its lease's epoch. */
export interface WriterPosition {
  generation: number
  lineage: string
  serial: number
  epoch: number
}

export function eventRow(plan: string, at: WriterPosition, serial: number, event: StepEvent): StateRow {
  return {
    plan,
    is_step: 1,
    generation: at.generation,
    group_key: groupKeyOf(event.address),
    address: event.address,
    serial,
    epoch: at.epoch,
    what: 'event',
    lineage: at.lineage,
    body: JSON.stringify(event),
  }
}

export function recordRow(plan: string, at: WriterPosition, record: StepRecord): StateRow {
  return {
    plan,
    is_step: 1,
    generation: at.generation,
    group_key: groupKeyOf(record.address),
    address: record.address,
    serial: at.serial,
    epoch: at.epoch,
    what: 'record',
    lineage: at.lineage,
    body: JSON.stringify(record),
  }
}

/** A marker: a lease taken at `epoch` when the generation was at `serial`, or a generation made whole. */
export function markerRow(plan: string, what: 'take' | 'generation', at: WriterPosition): StateRow {
  return { plan, is_step: 0, generation: at.generation, group_key: '', address: '', serial: at.serial, epoch: at.epoch, what, lineage: at.lineage, body: '' }
}

/** One lease take (or generation) as a reader sees it: rows with a higher serial from a lower epoch do not count. */
export interface Fence {
  serial: number
  epoch: number
}

/**
 * The fencing rule. A holder writes a `take` marker with its epoch and the serial it found
 * before it writes anything. A step row counts unless a marker with a lower serial has a
 * higher epoch: that row came from a holder whose lease had been taken over (a write that
 * slipped past the lease check, or landed after it). Of two rows with the same serial, the
 * later holder's therefore wins.
 */
export class FenceRule {
  private readonly fences: Fence[]

  constructor(fences: readonly Fence[]) {
    this.fences = [...fences].sort((a, b) => a.serial - b.serial)
  }

  counts(serial: number, epoch: number): boolean {
    for (const fence of this.fences) {
      if (fence.serial >= serial) break
      if (fence.epoch > epoch) return false
    }
    return true
  }

  /** The same rule as a condition in SQL on a row's `serial` and `epoch`, with its parameters. */
  sql(): { condition: string; params: Record<string, unknown> } {
    return {
      condition: 'epoch >= arrayMax(arrayConcat([toUInt64(0)], arrayFilter((e, s) -> s < serial, {fence_epochs:Array(UInt64)}, {fence_serials:Array(UInt64)})))',
      params: { fence_epochs: this.fences.map((fence) => fence.epoch), fence_serials: this.fences.map((fence) => fence.serial) },
    }
  }
}
