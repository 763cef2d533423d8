import type { StateSnapshot, StepEvent, StepRecord } from './model.js'

/** Who holds a lock, as recorded in it and shown to whoever is refused. */
export interface LockInfo {
  id: string
  who: string
  host: string
  pid: number
  operation: string
  created: string
  /** When a lease ends unless renewed; absent for a file lock (held while its process lives). */
  expires?: string
  /** Where the holder runs, when known: a CI run's URL or a pod's name. */
  from?: string
}

/** A pause of a plan's applies (`bf pause`): who asked, from where, when and why. */
export interface PauseInfo {
  who: string
  host: string
  pid: number
  reason: string
  since: string
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
  /**
   * Aborted when this holder can no longer be sure it holds the lock (its lease expired
   * unrenewed, or another holder took it over): start nothing more; writes are refused.
   */
  lost?: AbortSignal
  /** Removes the lock if it is still this one; resolves quietly if it was force-unlocked meanwhile. */
  release(): Promise<void>
}

export interface AppendOptions {
  deferred?: boolean
}

/**
 * Where a plan's state lives. A write is an append of one event, durable before the
 * promise resolves, and O(1) in the size of the state.
 *
 * Writes (`append`, `compact`) require the lock taken through this same
 * store and throw a plain Error without it: a single writer is what keeps serials
 * unique. Reads need no lock. Every implementation runs the conformance suite in
 * `test/state/conformance.ts`.
 */
export interface StateStore {
  /**
   * Reads the snapshot and replays the journal. An absent state is an empty one with
   * serial 0 and lineage `''`, except while this store holds the lock: then it carries
   * the random lineage the first write will give the state, so the holder can use the
   * lineage (in job names, delete tags) before writing anything.
   */
  read(): Promise<StateSnapshot>
  /**
   * Reads the state a customer at a time, for a reader that needs one customer's steps at
   * once: a large state is never whole in memory. Reads need no lock; under this store's
   * lock, use `read`.
   */
  readByCustomer(): Promise<StateByCustomer>
  /**
   * Appends one event durably and returns the new serial (the previous one plus 1). Appends
   * run in call order. A `deferred` append calls for no write of its own: it is written
   * with the next append, or when the lock is let go, and resolves then.
   */
  append(event: StepEvent, options?: AppendOptions): Promise<number>
  /** Folds the journal into a new snapshot (atomically) and empties the journal. Keeps lineage, serial and content. */
  compact(): Promise<void>
  /**
   * Replaces the whole state with `snapshot`, keeping its lineage and serial (`bf state
   * push`, `bf state migrate`). Needs the lock; atomic: a reader sees the old state or the new.
   */
  replace(snapshot: StateSnapshot): Promise<void>
  /** Takes the state's lock; fails with `LockHeldError` (`lock-held-error.ts`) when another holder has it past `timeoutMs`. */
  lock(options: LockOptions): Promise<HeldLock>
  /** The current lock holder, if any. */
  lockHolder(): Promise<LockInfo | undefined>
  /** Removes a lock by id (`bf unlock`); fails when the id does not match the holder. */
  forceUnlock(id: string): Promise<LockInfo>
  /**
   * Records a pause every apply of this plan sees within seconds, wherever it runs; needs
   * no lock (an apply holds it). Replaces an earlier pause.
   */
  pause(info: PauseInfo): Promise<void>
  /** Removes the pause and returns it; undefined when the plan was not paused. */
  resume(): Promise<PauseInfo | undefined>
  /** The pause in force, if any. */
  pauseInfo(): Promise<PauseInfo | undefined>
  /** Waits for pending writes, releases a lock this store holds, and frees open files. */
  close(): Promise<void>
  /** Warnings gathered by the last `read` (a torn last journal line, …). */
  readonly warnings: string[]
}

/** The steps under one `cluster/customer/` prefix (a cluster-level step is a group of its own). */
export interface StepGroup {
  key: string
  steps: Map<string, StepRecord>
}

/** A state handed out a group at a time: `groups` may be iterated once, and throws `StateOrderError` (`state-order-error.ts`) when it cannot go on. */
export interface StateByCustomer {
  lineage: string
  serial: number
  /** Warnings of the read (a torn last journal line, …). */
  warnings: string[]
  groups(): Iterable<StepGroup> | AsyncIterable<StepGroup>
}
