import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

/** A fresh directory per call, all removed after the file's tests. */
export function tempDirs(): () => Promise<string> {
  const made: string[] = []
  afterAll(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bf-state-'))
    made.push(dir)
    return dir
  }
}
