import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDirs } from './temp-dirs.js'
import { writeText } from './state-dir.js'
import { transpileForNode } from './transpile-for-node.js'
import { waitFor } from '../support/wait-for.js'

const tempDir = tempDirs()
const RACER = fileURLToPath(new URL('fixtures/lock-racer.mjs', import.meta.url))
const RACERS = 6

interface Outcome {
  won: boolean
  id?: string
  holder?: string | null
  error?: string
}

let storeModule: string

beforeAll(async () => {
  storeModule = await transpileForNode('src/state/file-store.ts', await tempDir())
})

async function raceProcesses(dir: string): Promise<Outcome[]> {
  const barrier = await tempDir()
  const run = promisify(execFile)
  const racing = Promise.all(Array.from({ length: RACERS }, () => run(process.execPath, [RACER, storeModule, dir, barrier, String(RACERS)])))
  // Every racer has started and loaded the store before any of them tries.
  await waitFor(async () => (await readdir(barrier)).filter((name) => name.startsWith('ready-')).length === RACERS, { what: `${RACERS} racers to be ready`, timeoutMs: 60_000 })
  await writeFile(join(barrier, 'go'), '')
  const outputs = await racing
  return outputs.map(({ stdout }) => JSON.parse(stdout) as Outcome)
}

describe('processes racing for the state lock', () => {
  it('let exactly one win; the others are told who holds it', async () => {
    const dir = await tempDir()
    const outcomes = await raceProcesses(dir)
    const winners = outcomes.filter((outcome) => outcome.won)
    expect(winners).toHaveLength(1)
    for (const loser of outcomes.filter((outcome) => !outcome.won)) {
      expect(loser).toEqual({ won: false, holder: winners[0]?.id, error: 'LockHeldError' })
    }
    expect(await readdir(dir)).toEqual([])
  })

  it('for a stale lock let exactly one take it over', async () => {
    const dir = await tempDir()
    const dead = spawn(process.execPath, ['-e', '0'])
    await once(dead, 'exit')
    const stale = { id: 'stale-id', who: 'alice', host: os.hostname(), pid: dead.pid, operation: 'apply', created: '2026-01-15T00:00:00.000Z' }
    await writeText(dir, 'lock.json', JSON.stringify(stale))
    const outcomes = await raceProcesses(dir)
    const winners = outcomes.filter((outcome) => outcome.won)
    expect(winners).toHaveLength(1)
    for (const loser of outcomes.filter((outcome) => !outcome.won)) {
      expect(loser).toEqual({ won: false, holder: winners[0]?.id, error: 'LockHeldError' })
    }
    // Released, with no claim or draft left behind.
    expect(await readdir(dir)).toEqual([])
  })
})
