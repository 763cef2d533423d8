import type { StateSnapshot, StepEvent } from './model.js'

/** Who holds a lock, as recorded in it and shown to whoever is refused. */
export interface LockInfo {
  id: string
  who: string
  host: string
  pid: number
  operation: string
  created: string
}

export interface LockOptions {
  operation: string
  /** How long to wait for a held lock before giving up (0: fail at once). */
  timeoutMs: number
  /** Called once when a stale lock (dead process on this host) is taken over. */
  onWarning?: (message: string) => void
}

export interface HeldLock {
  info: LockInfo
  release(): Promise<void>
}

/**
 * Where a plan's state lives. A write is an append of one event, durable before the
 * promise resolves, and O(1) in the size of the state.
 */
export interface StateStore {
  /** Reads the snapshot and replays the journal; an absent state is an empty one. */
  read(): Promise<StateSnapshot>
  /** Appends one event durably and returns the new serial. */
  append(event: StepEvent): Promise<number>
  /** Folds the journal into a new snapshot (atomically) and empties the journal. */
  compact(): Promise<void>
  /** Takes the state's lock; fails with `LockHeldError` when another holder has it. */
  lock(options: LockOptions): Promise<HeldLock>
  /** The current lock holder, if any. */
  lockHolder(): Promise<LockInfo | undefined>
  /** Removes a lock by id (`bf unlock`); fails when the id does not match the holder. */
  forceUnlock(id: string): Promise<LockInfo>
  /** Warnings gathered while reading (a torn last journal line, …). */
  readonly warnings: string[]
}
