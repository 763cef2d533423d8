import type { LockInfo } from './store.js'

/** One plan's lease as stored, in a KeeperMap row or a Kubernetes Lease. */
export interface LeaseRecord extends LockInfo {
  /** When the lease ends unless renewed (ISO 8601). */
  expires: string
  /** Fencing token: one more than the previous holder's on every take; the state's writes carry it. */
  epoch: number
}

/** A stored lease and the version a conditional change must name. */
export interface StoredLease {
  record: LeaseRecord
  /** Opaque: changes with every write of the lease. */
  version: string
}

/**
 * Where a plan's lease is kept. Every change is conditional, so of two bf processes that
 * race for the same lease, exactly one wins and the other learns it lost.
 */
export interface LeaseBackend {
  /** The lease as stored, or undefined when nobody holds it. */
  read(): Promise<StoredLease | undefined>
  /** Creates the lease; false when one already exists. */
  create(record: LeaseRecord): Promise<boolean>
  /** Replaces the lease if it is still at `version` (renewal, take-over); false when it changed meanwhile. */
  replace(version: string, record: LeaseRecord): Promise<boolean>
  /** Removes the lease if it is still at `version`; false when it changed meanwhile. */
  remove(version: string): Promise<boolean>
  /** Where the lease lives, for messages: `KeeperMap table bf.bf_state_lease on cluster eu`, `Lease bf-relabel-2026 in namespace backfills`. */
  readonly where: string
  close(): Promise<void>
}
