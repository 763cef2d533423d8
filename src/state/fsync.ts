import { copyFile, mkdir, open, rename } from 'node:fs/promises'
import path from 'node:path'

/**
 * Flushes a directory, so that files created, renamed or removed in it survive a
 * crash. Without it a rename can be lost even though the file's bytes were synced.
 */
export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for flushing; NTFS journals renames itself.
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Creates `dir` and any missing parents, durably. */
export async function ensureDir(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true })
  if (firstCreated === undefined) return
  for (let created = path.resolve(dir); ; created = path.dirname(created)) {
    await fsyncDir(path.dirname(created))
    if (created === path.resolve(firstCreated)) break
  }
}

/** Text gathered before each write when the data comes in pieces. */
const WRITE_BYTES = 1 << 20

/** Writes `file` (created or truncated) and syncs it before resolving; `data` may come in pieces. */
export async function writeFileSynced(file: string, data: string | Iterable<string>): Promise<void> {
  const handle = await open(file, 'w')
  try {
    if (typeof data === 'string') {
      await handle.writeFile(data)
    } else {
      let pending = ''
      for (const piece of data) {
        pending += piece
        if (pending.length < WRITE_BYTES) continue
        await handle.writeFile(pending)
        pending = ''
      }
      if (pending.length > 0) await handle.writeFile(pending)
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Replaces `file` with `data` atomically through `file.tmp`: after a crash the file
 * holds either its old content or the new one, never a mix.
 */
export async function replaceFileAtomically(file: string, data: string | Iterable<string>): Promise<void> {
  const tmp = `${file}.tmp`
  await writeFileSynced(tmp, data)
  await rename(tmp, file)
  await fsyncDir(path.dirname(file))
}

/** Copies `from` over `to` and syncs the copy. */
export async function copyFileSynced(from: string, to: string): Promise<void> {
  await copyFile(from, to)
  const handle = await open(to, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
