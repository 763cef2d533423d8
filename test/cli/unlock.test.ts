import type { ChildProcess } from 'node:child_process'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, ROOT } from '../support/cli.js'

/** `bf unlock` as a user meets it: a lock held by another bf process, alive or gone. */
let dir: string
let plan: string
const lockFile = (): string => join(dir, '.bf', 'state', 'relabel-test', 'lock.json')

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-unlock-'))
  plan = join(dir, 'plan.yaml')
  writeFileSync(plan, relabelPlan({ customers: ['alaska-air'] }))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Holder {
  child: ChildProcess
  id: string
}

/** Another process takes the plan's state lock through bf's own store and holds it until killed. */
async function holdLock(): Promise<Holder> {
  const store = JSON.stringify(join(ROOT, 'dist', 'state', 'file-store.js'))
  const script = `const { FileStateStore } = await import(${store})
const held = await new FileStateStore(${JSON.stringify(join(dir, '.bf', 'state', 'relabel-test'))}, 'relabel-test').lock({ operation: 'apply', timeoutMs: 0 })
process.stdout.write(held.info.id + '\\n')
setInterval(() => {}, 60_000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  return { child, id: line.toString().trim() }
}

async function kill(holder: Holder): Promise<void> {
  const exited = once(holder.child, 'exit')
  holder.child.kill('SIGKILL')
  await exited
}

/** Runs `bf ARGS` on a terminal (a pseudo-terminal from `script`), typing `input`. */
function bfOnTerminal(args: string[], input: string): { status: number | null; output: string } {
  const command = [process.execPath, join(ROOT, 'bin', 'run.js'), ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ')
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 })
  return { status: run.status, output: run.stdout }
}

describe('bf unlock', () => {
  it('refuses the lock of a process still running on this host, unless --force', async () => {
    const holder = await holdLock()
    try {
      const refused = bf(['unlock', plan, holder.id], { cwd: dir })
      expect(refused.status).toBe(1)
      expect(refused.stdout).toContain('The state is locked by:')
      expect(refused.stdout).toMatch(new RegExp(`^ {2}PID: +${holder.child.pid}$`, 'm'))
      expect(refused.stdout).toMatch(/^ {2}Operation: +apply$/m)
      expect(refused.stderr).toBe(`Error: the lock's holder is running on this host (pid ${holder.child.pid}): wait for it to finish or stop it; pass --force to remove its lock anyway\n`)
      expect(existsSync(lockFile())).toBe(true)

      const forced = bf(['unlock', plan, holder.id, '--force'], { cwd: dir })
      expect(forced.status).toBe(0)
      expect(forced.stdout).toContain(`Removed the lock `)
      expect(existsSync(lockFile())).toBe(false)
    } finally {
      await kill(holder)
    }
  })

  it('asks before removing the lock of a holder that is gone; only yes removes it', async () => {
    const holder = await holdLock()
    await kill(holder)

    const piped = bf(['unlock', plan, holder.id], { cwd: dir })
    expect(piped.status).toBe(1)
    expect(piped.stderr).toBe('Error: stdin is not a terminal, so bf cannot ask for confirmation: pass --force to unlock without the prompt\n')

    const no = bfOnTerminal(['unlock', plan, holder.id], 'no\n')
    expect(no.output).toContain("Do you really want to force-unlock? Another bf may then change the state while this holder still runs. Only 'yes' will be accepted:")
    expect(no.output).toContain('Unlock cancelled; the lock is still held.')
    expect(no.status).toBe(1)
    expect(existsSync(lockFile())).toBe(true)

    const yes = bfOnTerminal(['unlock', plan, holder.id], 'yes\n')
    expect(yes.output).toContain(`Removed the lock `)
    expect(yes.status).toBe(0)
    expect(existsSync(lockFile())).toBe(false)
  })
})
