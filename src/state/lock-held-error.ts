import { UserError } from '../errors.js'
import type { LockInfo } from './store.js'

/** `alice@host (pid 123, apply, since …, lock id …)`: a lock holder as people see it. */
export function describeLockHolder(holder: LockInfo): string {
  return `${holder.who}@${holder.host} (pid ${holder.pid}, ${holder.operation}, since ${holder.created}, lock id ${holder.id})`
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
