import os from 'node:os'
import { processExists } from '../common/process-alive.js'
import type { LockInfo } from './store.js'

/**
 * What can be known of whether a lock's holder still runs:
 * - `running`: its process is alive on this host;
 * - `renewing`: its lease has not expired, so it is being renewed;
 * - `gone`: its process on this host has ended;
 * - `expired`: its lease ran out unrenewed;
 * - `unknown`: a lock without a lease, held from another host.
 */
export type HolderLiveness = 'running' | 'renewing' | 'gone' | 'expired' | 'unknown'

export function holderLiveness(holder: LockInfo, now: number = Date.now(), host: string = os.hostname()): HolderLiveness {
  if (holder.host === host) return processExists(holder.pid) ? 'running' : 'gone'
  if (holder.expires !== undefined) return Date.parse(holder.expires) > now ? 'renewing' : 'expired'
  return 'unknown'
}

/** Whether the holder is known to run still: removing its lock would let two bf change one state. */
export function holderIsLive(liveness: HolderLiveness): boolean {
  return liveness === 'running' || liveness === 'renewing'
}
