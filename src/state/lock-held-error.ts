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
    const hint = holderIsLive(holderLiveness(holder))
      ? 'wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait for it'
      : `wait for it to finish; if it is no longer running, remove its lock: ${unlockCommand} ${holder.id}`
    super(`state is locked by ${describeLockHolder(holder)}; ${hint}`)
    this.name = 'LockHeldError'
    this.holder = holder
  }
}
