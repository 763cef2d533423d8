import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bf, ensureBuilt, ROOT, seedQuickstart } from '../support/cli.js'
import { waitFor } from '../support/wait-for.js'

let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-in-use-'))
  seedQuickstart(join(dir, 'data'), { customers: 1, days: 2, conversationsPerDay: 5 })
  copyFileSync(join(ROOT, 'examples', 'quickstart', 'plan.yaml'), join(dir, 'plan.yaml'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('an embedded data folder another process has open', () => {
  it('is one line naming that process, and exit 1', async () => {
    const release = join(dir, 'release')
    const holder = spawn(process.execPath, [join(ROOT, 'test', 'support', 'chdb-holder.mjs'), join(dir, 'data'), release], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((resolve) => holder.once('exit', resolve))
    let output = ''
    holder.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      await waitFor(() => output.includes('ready'), { what: 'the other process to hold the folder', timeoutMs: 30_000 })
      const run = bf(['plan', 'plan.yaml'], { cwd: dir })
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr.trim().split('\n')).toEqual([
        `Error: cluster local: the embedded engine's data folder ${join(dir, 'data')} is in use by process ${holder.pid} (${process.execPath} ${join(ROOT, 'test', 'support', 'chdb-holder.mjs')} ${join(dir, 'data')} ${release}); wait for it to end, then run this again`,
      ])
    } finally {
      writeFileSync(release, '')
      await exited
    }
    // Once it is gone, the folder's leftover status file names a dead process: bf goes on.
    expect(bf(['plan', 'plan.yaml'], { cwd: dir }).status).toBe(0)
  })
})
