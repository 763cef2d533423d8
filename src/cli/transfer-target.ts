import type { TransferTarget } from '../engine/state-transfer/transfer.js'
import type { PlanSpec } from '../plan/model.js'
import { openStateStore } from './engine-wiring.js'
import { lockTimeoutMs } from './shared-flags.js'

/** The plan's state for the transfer commands (a store to lock and write through, a second one to read), and how to close both. */
export function openTransferTarget(
  spec: PlanSpec,
  lock: { operation: string; lockTimeout: string; onWarning: (message: string) => void },
): TransferTarget & { close(): Promise<void> } {
  const store = openStateStore(spec)
  const reader = openStateStore(spec)
  return {
    store,
    reader,
    planName: spec.name,
    lock: { operation: lock.operation, timeoutMs: lockTimeoutMs(lock.lockTimeout), onWarning: lock.onWarning },
    async close() {
      await Promise.allSettled([store.close(), reader.close()])
    },
  }
}
