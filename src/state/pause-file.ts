import { rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { ensureDir, fsyncDir, replaceFileAtomically } from './fsync.js'
import { isObject } from './is-object.js'
import { readIfExists } from './open-if-exists.js'
import type { PauseInfo } from './store.js'

/** `pause.json` beside the state: written whole (atomically), so a reader sees the old pause or the new, never half. */
export async function writePauseFile(file: string, info: PauseInfo): Promise<void> {
  await ensureDir(path.dirname(file))
  await replaceFileAtomically(file, `${JSON.stringify(info, null, 2)}\n`)
}

/** The pause the file records, or undefined when there is none. */
export async function readPauseFile(file: string): Promise<PauseInfo | undefined> {
  const bytes = await readIfExists(file)
  if (bytes === undefined) return undefined
  const data: unknown = JSON.parse(bytes.toString('utf8'))
  if (!isObject(data) || typeof data.who !== 'string' || typeof data.since !== 'string') throw new Error(`${file} is not a pause bf wrote: remove it to resume`)
  return {
    who: data.who,
    host: typeof data.host === 'string' ? data.host : '',
    pid: typeof data.pid === 'number' ? data.pid : 0,
    reason: typeof data.reason === 'string' ? data.reason : '',
    since: data.since,
  }
}

/** Removes the pause and returns what it was. Two resumes at once: one gets the pause, the other nothing. */
export async function removePauseFile(file: string): Promise<PauseInfo | undefined> {
  const claimed = `${file}.${process.pid}.${Date.now()}.resuming`
  try {
    await rename(file, claimed)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    return await readPauseFile(claimed)
  } finally {
    await unlink(claimed).catch(() => undefined)
    await fsyncDir(path.dirname(file))
  }
}
