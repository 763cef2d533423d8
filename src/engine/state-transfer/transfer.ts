import { UserError } from '../../errors.js'
import type { StateSnapshot } from '../../state/model.js'
import { stateDocumentChunks } from '../../state/state-document.js'
import { StateOrderError } from '../../state/state-order-error.js'
import type { HeldLock, LockOptions, StateStore } from '../../state/store.js'
import { decideImport } from './import-rules.js'
import type { StateHead } from './import-rules.js'
import { sameSteps } from './same-steps.js'

/**
 * A plan's state as the transfer commands reach it: `store` takes the lock and writes;
 * `reader`, a second store on the same state, reads it a customer at a time without the
 * lock (as `StateStore.readByCustomer` asks), while `store` holds it and nobody writes.
 */
export interface TransferTarget {
  store: StateStore
  reader: StateStore
  planName: string
  lock: LockOptions
}

export interface PullOutcome extends StateHead {
  steps: number
  warnings: string[]
}

/** `bf state pull`: the whole state as a document (`state-document.ts`), a customer at a time, under the lock. */
export async function pullState(target: TransferTarget, write: (chunk: string) => Promise<void>): Promise<PullOutcome> {
  return withLock(target, async (held) => {
    const state = await target.reader.readByCustomer()
    if (state.lineage === '') throw new UserError(`plan ${target.planName} has no state yet: nothing to pull`)
    const chunks = stateDocumentChunks(target.planName, state)
    try {
      for (let next = await chunks.next(); ; next = await chunks.next()) {
        if (next.done) {
          // Another holder may have written while the document was read.
          if (held.lost?.aborted) throw new UserError(`the state lock of ${target.planName} was lost while the state was read: the output may mix two states; pull again`)
          return { lineage: state.lineage, serial: state.serial, steps: next.value, warnings: state.warnings }
        }
        await write(next.value)
      }
    } catch (error) {
      if (error instanceof StateOrderError) throw new UserError(`${error.message}; the output is incomplete (bf apply rewrites the snapshot in order)`)
      throw error
    }
  })
}

export interface ImportOutcome {
  action: 'replaced' | 'unchanged'
  previous: StateHead
  written: StateHead
  steps: number
  /** The refusals `--force` overrode. */
  overridden: string[]
}

export interface ImportRequest {
  /** The state to import, its steps whole in memory (`StateStore.replace` takes it so). */
  incoming: StateSnapshot
  /** How messages name it (`state.json`, `the state in .bf/state/relabel-2026`). */
  what: string
  force: boolean
}

/** `bf state push`: replaces the state with `incoming` under the lock, when `decideImport` allows it. */
export function pushState(target: TransferTarget, request: ImportRequest): Promise<ImportOutcome> {
  return withLock(target, (held) => importUnderLock(target, held, request))
}

export interface MigrateRequest {
  /** The state to copy from, in any backend; locked while it is read and copied. */
  source: StateStore
  /** How messages name it. */
  what: string
  force: boolean
}

/** `bf state migrate`: copies the source's state into the target's backend, lineage and serial kept, both locked. */
export function migrateState(target: TransferTarget, request: MigrateRequest): Promise<ImportOutcome> {
  return withLock(target, async (held) => {
    const sourceLock = await request.source.lock(target.lock)
    try {
      const incoming = await request.source.read()
      if (incoming.serial === 0 && incoming.steps.size === 0) throw new UserError(`${request.what} holds no state: nothing to migrate`)
      return await importUnderLock(target, held, { incoming, what: request.what, force: request.force })
    } finally {
      await sourceLock.release()
    }
  })
}

async function importUnderLock(target: TransferTarget, held: HeldLock, request: ImportRequest): Promise<ImportOutcome> {
  const { incoming } = request
  const head = await target.reader.readByCustomer()
  const previous = { lineage: head.lineage, serial: head.serial }
  const decision = await decideImport(previous, incoming, {
    planName: target.planName,
    what: request.what,
    force: request.force,
    sameSteps: () => sameSteps(target.reader, incoming.steps),
  })
  if (decision.action === 'unchanged') return { action: 'unchanged', previous, written: previous, steps: incoming.steps.size, overridden: [] }
  if (held.lost?.aborted) throw new UserError(`the state lock of ${target.planName} was lost before the state was replaced; nothing was written`)
  await target.store.replace({ ...incoming, plan: target.planName, serial: decision.serial })
  return {
    action: 'replaced',
    previous,
    written: { lineage: incoming.lineage, serial: decision.serial },
    steps: incoming.steps.size,
    overridden: decision.overridden,
  }
}

async function withLock<T>(target: TransferTarget, work: (held: HeldLock) => Promise<T>): Promise<T> {
  const held = await target.store.lock(target.lock)
  try {
    return await work(held)
  } finally {
    await held.release()
  }
}
