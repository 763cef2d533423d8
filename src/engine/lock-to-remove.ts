import { UserError } from '../errors.js'
import { holderLiveness } from '../state/holder-liveness.js'
import { describeLockHolder } from '../state/lock-held-error.js'
import type { LockInfo, StateStore } from '../state/store.js'

/** The lock `bf unlock PLAN ID` would remove: the state's holder, when its id is `id`. */
export async function lockToRemove(store: StateStore, id: string): Promise<LockInfo> {
  const holder = await store.lockHolder()
  if (holder === undefined) throw new UserError('the state is not locked; nothing to unlock')
  if (holder.id !== id) throw new UserError(`lock id ${id} does not match the lock held by ${describeLockHolder(holder)}; nothing was unlocked`)
  return holder
}

/**
 * Why the lock of `holder` must not be removed without `--force`: its holder is known to run
 * still (its process alive on this host, or its lease being renewed), and removing its lock
 * would let two bf change one state. A one-line error, or undefined.
 */
export function unlockRefusal(holder: LockInfo): UserError | undefined {
  const liveness = holderLiveness(holder)
  if (liveness === 'running') {
    return new UserError(`the lock's holder is running on this host (pid ${holder.pid}): wait for it to finish or stop it; pass --force to remove its lock anyway`)
  }
  if (liveness === 'renewing') {
    return new UserError(`the lock's lease is being renewed (expires ${holder.expires}), so its holder is running: wait for it to finish or stop it; pass --force to remove its lock anyway`)
  }
  return undefined
}
