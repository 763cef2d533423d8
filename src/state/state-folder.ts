import { stat } from 'node:fs/promises'
import { UserError } from '../errors.js'
import { FileStateStore } from './file-store.js'
import { readHeadLine } from './read-by-customer.js'
import { NotAsWritten, parseHead, readSnapshot } from './snapshot-read.js'
import { stateFiles } from './state-files.js'

/**
 * The file backend's state in `dir` (`bf state migrate --from DIR`), whatever plan it
 * belongs to: its snapshot names the plan. A folder without a snapshot holds no state.
 */
export async function openStateFolder(dir: string): Promise<FileStateStore> {
  const isFolder = await stat(dir).then((found) => found.isDirectory(), () => false)
  if (!isFolder) throw new UserError(`${dir}: no such folder (give a state folder such as .bf/state/<plan name>, or a plan file)`)
  const files = stateFiles(dir)
  const plan = await planOf(files.snapshot)
  if (plan === undefined) throw new UserError(`${dir} holds no bf state (no ${files.snapshot})`)
  return new FileStateStore(dir, plan, { planRef: dir })
}

async function planOf(snapshot: string): Promise<string | undefined> {
  const line = await readHeadLine(snapshot)
  if (line !== undefined) {
    try {
      return parseHead(line).plan
    } catch (error) {
      if (!(error instanceof NotAsWritten)) throw error
    }
  }
  // Not laid out as bf writes it: read whole, which also words what is wrong with it.
  return (await readSnapshot(snapshot, async () => false))?.plan
}
