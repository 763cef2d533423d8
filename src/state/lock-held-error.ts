import { UserError } from '../errors.js'
import type { LockInfo } from './store.js'

/** `alice@host (pid 123, apply, since …, expires …, from …, lock id …)`: a lock holder as people see it (a file lock has no expiry nor origin). */
export function describeLockHolder(holder: LockInfo): string {
  const lease = `${holder.expires === undefined ? '' : `, expires ${holder.expires}`}${holder.from === undefined ? '' : `, from ${holder.from}`}`
  return `${holder.who}@${holder.host} (pid ${holder.pid}, ${holder.operation}, since ${holder.created}${lease}, lock id ${holder.id})`
}

/** The state's lock is held by someone else; the message says who and how to proceed. */
export class LockHeldError extends UserError {
  readonly holder: LockInfo

  /** `unlockCommand` is the command that removes this state's lock, without the id (`bf unlock plans/2026.yaml`). */
  constructor(holder: LockInfo, unlockCommand: string) {
    super(`state is locked by ${describeLockHolder(holder)}; wait for it to finish, or run: ${unlockCommand} ${holder.id}`)
    this.name = 'LockHeldError'
    this.holder = holder
  }
}
