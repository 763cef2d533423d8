import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { sleep } from '../common/sleep.js'
import { UserError } from '../errors.js'
import type { LeaseBackend, LeaseRecord, StoredLease } from './lease-backend.js'
import { leaseOrigin } from './lease-origin.js'
import { currentUser } from './lock.js'
import { describeLockHolder, LockHeldError } from './lock-held-error.js'
import type { HeldLock, LockInfo, LockOptions } from './store.js'

/** Time as the lease sees it: tests drive it, bf uses the real one. */
export interface LeaseClock {
  /** Epoch milliseconds. */
  now(): number
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export const realLeaseClock: LeaseClock = { now: () => Date.now(), sleep }

export interface LeasedLockOptions extends LockOptions {
  /** How long the lease lasts unless renewed; it is renewed every third of it. */
  leaseMs: number
  /** The command that removes this lease, without the id (`bf unlock plans/2026.yaml`). */
  unlockCommand: string
  /** The lowest epoch this take may have: above every epoch the state has seen, when the lease record was removed since. */
  minEpoch?: number
  clock?: LeaseClock
  env?: NodeJS.ProcessEnv
}

/** A lease this process holds: its fencing epoch, and `lost` once it may no longer hold it. */
export interface HeldLease extends HeldLock {
  epoch: number
  lost: AbortSignal
}

/** How often a waiting take looks at the lease again. */
const POLL_MS = 500

/**
 * Takes the lease in `backend`: creates it, or takes over an expired one (with a warning
 * naming the old holder), or waits up to `timeoutMs` for a live one, then fails with
 * `LockHeldError`. Every take has an epoch one above the last. While held, the lease is
 * renewed every `leaseMs / 3`; `lost` aborts when a renewal finds the lease taken by
 * another, or when renewals failed until the lease expired.
 */
export async function acquireLease(backend: LeaseBackend, options: LeasedLockOptions): Promise<HeldLease> {
  const clock = options.clock ?? realLeaseClock
  const id = randomUUID()
  const origin = leaseOrigin(options.env)
  const recordAt = (now: number, epoch: number, created = now): LeaseRecord => ({
    id,
    who: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    operation: options.operation,
    created: new Date(created).toISOString(),
    expires: new Date(now + options.leaseMs).toISOString(),
    ...(origin === undefined ? {} : { from: origin }),
    epoch,
  })
  const deadline = clock.now() + options.timeoutMs
  const never = new AbortController().signal
  for (;;) {
    const stored = await backend.read()
    const now = clock.now()
    if (stored === undefined) {
      const record = recordAt(now, Math.max(1, options.minEpoch ?? 1))
      if (await backend.create(record)) return holdIfOurs(backend, record, options, clock)
      continue
    }
    if (Date.parse(stored.record.expires) <= now) {
      const record = recordAt(now, Math.max(stored.record.epoch + 1, options.minEpoch ?? 1))
      if (await backend.replace(stored.version, record)) {
        options.onWarning?.(`took over the expired lease of ${describeLockHolder(stored.record)} (${backend.where})`)
        return holdIfOurs(backend, record, options, clock)
      }
      continue
    }
    const left = deadline - now
    if (left <= 0) throw new LockHeldError(infoOf(stored.record), options.unlockCommand)
    await clock.sleep(Math.min(POLL_MS, left), never)
  }
}

/** Removes a lease by the id of its holder (`bf unlock`); fails when the id does not match. */
export async function forceUnlockLease(backend: LeaseBackend, id: string): Promise<LockInfo> {
  const stored = await backend.read()
  if (stored === undefined) throw new UserError(`the state is not locked (${backend.where} holds no lease for it); nothing to unlock`)
  if (stored.record.id !== id) {
    throw new UserError(`lock id ${id} does not match the lock held by ${describeLockHolder(stored.record)}; nothing was unlocked`)
  }
  if (!(await backend.remove(stored.version))) return forceUnlockLease(backend, id)
  return infoOf(stored.record)
}

/** The lease's holder as a lock's, with its epoch left out. */
export function infoOf(record: LeaseRecord): LockInfo {
  const { epoch: _epoch, ...info } = record
  return info
}

async function holdIfOurs(backend: LeaseBackend, record: LeaseRecord, options: LeasedLockOptions, clock: LeaseClock): Promise<HeldLease> {
  // The write's effect is read back: only the record as stored says who won.
  const stored = await backend.read()
  if (stored?.record.id !== record.id) throw new Error(`the lease in ${backend.where} changed as it was taken; try again`)
  return new Renewal(backend, stored, options, clock).held()
}

/** Keeps a held lease alive until it is released or lost. */
class Renewal {
  private readonly stop = new AbortController()
  private readonly lostController = new AbortController()
  private released = false
  private running: Promise<void>

  constructor(
    private readonly backend: LeaseBackend,
    private current: StoredLease,
    private readonly options: LeasedLockOptions,
    private readonly clock: LeaseClock,
  ) {
    this.running = this.loop()
  }

  held(): HeldLease {
    const record = this.current.record
    return { info: infoOf(record), epoch: record.epoch, lost: this.lostController.signal, release: () => this.release() }
  }

  private async loop(): Promise<void> {
    const every = Math.max(1, Math.floor(this.options.leaseMs / 3))
    let wait = every
    while (!this.stop.signal.aborted) {
      await this.clock.sleep(wait, this.stop.signal)
      if (this.stop.signal.aborted) return
      try {
        wait = (await this.renew()) ? every : 0
      } catch (error) {
        // A failed renewal is tried again soon, until the lease would have expired.
        if (this.clock.now() >= Date.parse(this.current.record.expires)) {
          return this.lose(`could not renew it before it expired at ${this.current.record.expires} (${(error as Error).message})`)
        }
        wait = Math.min(every, Math.max(1, Math.floor(every / 4)))
      }
      if (this.lostController.signal.aborted) return
    }
  }

  /** True when renewed; false when the lease changed and was read again (renew at once). */
  private async renew(): Promise<boolean> {
    const now = this.clock.now()
    const record = { ...this.current.record, expires: new Date(now + this.options.leaseMs).toISOString() }
    if (await this.backend.replace(this.current.version, record)) {
      const stored = await this.backend.read()
      if (stored?.record.id === record.id && stored.record.epoch === record.epoch) {
        this.current = stored
        return true
      }
    }
    const stored = await this.backend.read()
    if (stored?.record.id !== record.id || stored.record.epoch !== record.epoch) {
      const by = stored ? `it is now held by ${describeLockHolder(stored.record)}` : 'it was removed (bf unlock?)'
      this.lose(by)
      return true
    }
    this.current = stored
    return false
  }

  private lose(why: string): void {
    if (this.lostController.signal.aborted || this.released) return
    this.lostController.abort(new LeaseLostError(`lost the state's lease in ${this.backend.where}: ${why}`))
    this.stop.abort()
  }

  private async release(): Promise<void> {
    if (this.released) return
    this.released = true
    this.stop.abort()
    await this.running
    if (this.lostController.signal.aborted) return
    const stored = await this.backend.read()
    if (stored?.record.id === this.current.record.id) await this.backend.remove(stored.version)
  }
}

/** This process no longer holds the state's lease: what it writes would not count, so it writes nothing more. */
export class LeaseLostError extends UserError {
  constructor(message: string) {
    super(message)
    this.name = 'LeaseLostError'
  }
}
