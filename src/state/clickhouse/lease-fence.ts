/** How the state's writes are made conditional on the lease still being this holder's. */
export type LeaseFence =
  /** A condition the server checks in the INSERT itself (a KeeperMap lease on a server). */
  | { kind: 'query'; sql: string; params: Record<string, unknown> }
  /** The lease lives in this process (the embedded engine's Keeper): asked here, right before the write. */
  | { kind: 'process'; holds: () => boolean }

/**
 * Who holds each lease kept by the embedded engine's Keeper. That Keeper lives in this
 * process and its lease table vanishes with it, and no other process can open the engine's
 * folder meanwhile: every change of such a lease is made here, by `KeeperMapLease`, which
 * notes each one (and each row it reads), so asking this map is as exact as asking Keeper,
 * for a fraction of a statement's cost. A write that raced a take-over in this process still
 * lands with its old epoch, which readers do not count (see `state-rows.ts`).
 */
const processHolders = new Map<string, string>()

export function noteProcessLeaseHolder(lease: string, holder: { id: string; epoch: number } | undefined): void {
  if (holder === undefined) processHolders.delete(lease)
  else processHolders.set(lease, `${holder.epoch}/${holder.id}`)
}

export function processLeaseFence(lease: string, id: string, epoch: number): LeaseFence {
  const token = `${epoch}/${id}`
  return { kind: 'process', holds: () => processHolders.get(lease) === token }
}
