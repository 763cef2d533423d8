import { sleep } from '../../common/sleep.js'
import { groupAlive, signalGroup } from './process-identity.js'

/**
 * Ends every process of the group led by `pgid`: SIGTERM, then SIGKILL to whatever is
 * left after `graceMs`. Resolves once the group is gone (or after a last short wait).
 */
export async function terminateGroup(pgid: number, graceMs: number, pollMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return
  const graceEnd = Date.now() + graceMs
  while (groupAlive(pgid) && Date.now() < graceEnd) await sleep(Math.min(pollMs, graceEnd - Date.now()))
  if (!groupAlive(pgid)) return
  signalGroup(pgid, 'SIGKILL')
  const killEnd = Date.now() + 5_000
  while (groupAlive(pgid) && Date.now() < killEnd) await sleep(pollMs)
}
