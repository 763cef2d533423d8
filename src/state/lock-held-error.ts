import { UserError } from '../errors.js'
import { holderIsLive, holderLiveness } from './holder-liveness.js'
import type { LockInfo } from './store.js'

/** `alice@host (pid 123, apply, since …, expires …, from …, lock id …)`: a lock holder as people see it. */
export function describeLockHolder(holder: LockInfo): string {
  const lease = [holder.expires === undefined ? '' : `, expires ${holder.expires}`, holder.from === undefined ? '' : `, from ${holder.from}`].join('')
  return `${holder.who}@${holder.host} (pid ${holder.pid}, ${holder.operation}, since ${holder.created}${lease}, lock id ${holder.id})`
}

/**
 * The state's lock is held by someone else; the message says who and how to proceed: a
 * holder that runs is waited for, and only one that may be gone is worth `bf unlock`.
 */
export class LockHeldError extends UserError {
  readonly holder: LockInfo

  /** `unlockCommand` is the command that removes this state's lock, without the id (`bf unlock plans/2026.yaml`). */
  constructor(holder: LockInfo, unlockCommand: string) {
    super(`state is locked by ${describeLockHolder(holder)}; ${hintFor(holder, unlockCommand)}`)
    this.name = 'LockHeldError'
    this.holder = holder
  }
}

function hintFor(holder: LockInfo, unlockCommand: string): string {
  const liveness = holderLiveness(holder)
  if (holderIsLive(liveness)) return 'wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait for it'
  // A lease outlives its dead holder only until it expires: the next apply takes it over then, with no unlock.
  if (liveness === 'gone' && holder.expires !== undefined && Date.parse(holder.expires) > Date.now()) {
    return (
      `that process is no longer running, and its lease expires at ${holder.expires}: then the next bf apply takes it over; ` +
      `pass --lock-timeout (e.g. 1m) to wait for that, or remove its lock now: ${unlockCommand} ${holder.id}`
    )
  }
  return `wait for it to finish; if it is no longer running, remove its lock: ${unlockCommand} ${holder.id}`
}
