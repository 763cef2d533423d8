import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandLauncher } from '../../src/launchers/command.js'
import { isRunning } from '../../src/launchers/command/process-identity.js'
import type { JobContext, JobRequest } from '../../src/launchers/launcher.js'
import type { ClusterSpec, JobSpec } from '../../src/plan/model.js'
import type { JsonValue } from '../../src/state/model.js'
import { transpileForNode } from '../state/transpile-for-node.js'
import { waitFor, waitForFile } from '../support/wait-for.js'

const DAY = Date.parse('2026-01-15T00:00:00Z')
const cluster: ClusterSpec = { name: 'local', clickhouse: { embedded: '/nowhere', settings: {} }, customers: [] }

let folder: string

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bf-command-'))
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** `node -e SCRIPT`: a command that runs the same everywhere the tests run. */
function nodeScript(script: string): string[] {
  return [process.execPath, '-e', script]
}

function jobOf(command: string[], extra: Partial<JobSpec> = {}): JobSpec {
  return { kind: 'command', command, env: {}, retries: 0, concurrency: 1, ...extra }
}

function requestFor(job: JobSpec, extra: Partial<JobRequest> = {}): JobRequest {
  return {
    planName: 'quickstart',
    lineage: '2b7c9d4e-0000-4000-8000-000000000000',
    address: 'local/alaska-air/2026-01-15/job',
    unitAddress: 'local/alaska-air/2026-01-15',
    cluster,
    customer: 'alaska-air',
    batch: { start: DAY, end: DAY + 86_400_000, label: '2026-01-15' },
    attempt: 1,
    job,
    env: {},
    logDir: join(folder, 'logs'),
    signal: new AbortController().signal,
    ...extra,
  }
}

function recordingContext(): JobContext & { records: Record<string, JsonValue>[]; notes: string[] } {
  const records: Record<string, JsonValue>[] = []
  const notes: string[] = []
  return {
    records,
    notes,
    record: async (outputs) => {
      records.push(outputs)
    },
    note: (message) => notes.push(message),
  }
}

async function readPid(file: string): Promise<number> {
  const text = await waitFor(async () => (existsSync(file) ? (await readFile(file, 'utf8')).trim() : '') || undefined, { what: `a pid in ${file}` })
  return Number(text)
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '')
}

describe('CommandLauncher', () => {
  const launcher = new CommandLauncher({ killGraceMs: 500, pollMs: 50 })

  it('adds the env to bf\'s, appends stdout and stderr to the log, and records the runner first', async () => {
    process.env.BF_TEST_INHERITED = 'from-bf'
    const context = recordingContext()
    const job = jobOf(nodeScript("console.log('out', process.env.BF_TEST_VALUE, process.env.BF_TEST_INHERITED); console.error('err line')"))
    const outcome = await launcher.run(requestFor(job, { env: { BF_TEST_VALUE: 'from-plan' } }), context)

    expect(outcome).toMatchObject({ ok: true, outputs: { exitCode: 0, signal: null } })
    const logFile = join(folder, 'logs', 'local_alaska-air_2026-01-15-a1.log')
    expect(outcome.outputs.logFile).toBe(logFile)
    const log = await readFile(logFile, 'utf8')
    expect(log).toContain('out from-plan from-bf\n')
    expect(log).toContain('err line\n')
    expect(JSON.parse(await readFile(`${logFile}.exit.json`, 'utf8'))).toMatchObject({ code: 0, signal: null })
    expect(context.records).toHaveLength(1)
    expect(context.records[0]).toMatchObject({ pid: expect.any(Number), logFile, exitFile: `${logFile}.exit.json` })
  })

  it('fails a non-zero exit with the code and the last 40 lines of the log', async () => {
    const job = jobOf(nodeScript("for (let i = 1; i <= 100; i++) console.log('line ' + i); process.exit(3)"))
    const outcome = await launcher.run(requestFor(job, { attempt: 2 }), recordingContext())

    expect(outcome).toMatchObject({ ok: false, error: 'command exited with code 3', outputs: { exitCode: 3 } })
    const tail = outcome.logTail?.split('\n') ?? []
    expect(tail).toHaveLength(40)
    expect(tail[0]).toBe('line 61')
    expect(tail.at(-1)).toBe('line 100')
  })

  it('reports a program that cannot start', async () => {
    const outcome = await launcher.run(requestFor(jobOf(['bf-no-such-program']), { attempt: 3 }), recordingContext())
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(/^command could not start: .*ENOENT/)
  })

  it('on timeout kills the whole process group, a grandchild ignoring SIGTERM included', async () => {
    const pids = join(folder, 'timeout-pids')
    const grandchild = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"
    const script = `
      const { spawn } = require('node:child_process')
      const child = spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' })
      require('node:fs').writeFileSync(${JSON.stringify(pids)}, process.pid + ' ' + child.pid)
      setInterval(() => {}, 1000)`
    const started = Date.now()
    const outcome = await launcher.run(requestFor(jobOf(nodeScript(script), { timeoutMs: 1_000 }), { attempt: 4 }), recordingContext())

    expect(outcome).toMatchObject({ ok: false, error: 'timed out after 1s' })
    expect(Date.now() - started).toBeLessThan(5_000)
    const [command, sleeper] = (await readFile(pids, 'utf8')).split(' ').map(Number)
    expect(isRunning({ pid: command ?? 0, start: null })).toBe(false)
    expect(isRunning({ pid: sleeper ?? 0, start: null })).toBe(false)
    expect(isRunning({ pid: outcome.outputs.pid as number, start: null })).toBe(false)
  })

  it('stops the command when bf is interrupted', async () => {
    const pidFile = join(folder, 'interrupt-pid')
    const controller = new AbortController()
    const script = `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`
    const running = launcher.run(requestFor(jobOf(nodeScript(script)), { attempt: 5, signal: controller.signal }), recordingContext())
    const pid = await readPid(pidFile)
    controller.abort()
    const outcome = await running

    expect(outcome).toMatchObject({ ok: false, error: 'interrupted' })
    expect(isRunning({ pid, start: null })).toBe(false)
  })

  it('when its runner is killed, fails and ends the command the runner left behind', async () => {
    const pidFile = join(folder, 'vanished-pid')
    const context = recordingContext()
    const script = `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`
    const running = launcher.run(requestFor(jobOf(nodeScript(script)), { attempt: 9 }), context)
    const pid = await readPid(pidFile)
    process.kill(context.records[0]?.pid as number, 'SIGKILL')
    const outcome = await running

    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(/^command runner pid \d+ ended without an exit status/)
    expect(isRunning({ pid, start: null })).toBe(false)
  })

  it('after bf is killed mid-run, adopts the command still running and waits for it: it runs once', async () => {
    const work = join(folder, 'crash')
    await mkdir(work, { recursive: true })
    await mkdir(join(work, 'dist'))
    const launcherModule = await transpileForNode('src/launchers/command.ts', join(work, 'dist'))
    const marker = join(work, 'marker')
    const recordFile = join(work, 'record.json')
    const release = join(work, 'release')
    // The command notes its run, then runs until the test lets it finish (or fails after 30 s).
    const job = jobOf(
      nodeScript(`const fs = require('node:fs'); fs.appendFileSync(${JSON.stringify(marker)}, 'ran\\n');
        const deadline = Date.now() + 30000;
        const tick = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)})) clearInterval(tick); else if (Date.now() > deadline) process.exit(4) }, 10)`),
    )
    const request = requestFor(job, { attempt: 6, logDir: join(work, 'logs') })
    const bf = `
      import { writeFileSync } from 'node:fs'
      import { CommandLauncher } from ${JSON.stringify(launcherModule)}
      const request = ${JSON.stringify({ ...request, signal: undefined })}
      request.signal = new AbortController().signal
      const context = { record: async (outputs) => writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify(outputs)), note: () => {} }
      await new CommandLauncher({ pollMs: 50 }).run(request, context)`
    const crashing = spawn(process.execPath, ['--input-type=module', '-e', bf], { stdio: 'inherit' })
    const exited = new Promise((done) => crashing.once('exit', done))
    await waitForFile(marker, { what: 'the command to start' })
    crashing.kill('SIGKILL')
    await exited

    const previous = JSON.parse(await readFile(recordFile, 'utf8')) as Record<string, JsonValue>
    expect(isRunning({ pid: previous.pid as number, start: previous.runnerStart as number })).toBe(true)
    const context = recordingContext()
    const adopting = launcher.run(request, context, previous)
    await waitFor(() => context.notes.join('\n').includes('still running; waiting for it'), { what: () => `a note that the command is still running; notes: ${context.notes.join(' | ')}` })
    expect(isRunning({ pid: previous.pid as number, start: previous.runnerStart as number })).toBe(true)
    await writeFile(release, '')
    const outcome = await adopting

    expect(outcome).toMatchObject({ ok: true, outputs: { pid: previous.pid, exitCode: 0 } })
    expect(context.records).toHaveLength(0)
    expect(await lines(marker)).toEqual(['ran'])
  })

  it('adopts the outcome in the exit file without running the command again', async () => {
    const marker = join(folder, 'adopt-marker')
    const logFile = join(folder, 'adopted.log')
    const exitFile = `${logFile}.exit.json`
    await writeFile(logFile, 'boom\n')
    await writeFile(exitFile, JSON.stringify({ code: 2, signal: null, finishedAt: '2026-01-15T01:00:00.000Z' }))
    const previous = { pid: 2 ** 22 + 1, runnerStart: 1, logFile, exitFile, startedAt: '2026-01-15T00:00:00.000Z' }
    const job = jobOf(nodeScript(`require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'ran\\n')`))
    const outcome = await launcher.run(requestFor(job, { attempt: 7 }), recordingContext(), previous)

    expect(outcome).toMatchObject({ ok: false, error: 'command exited with code 2', logTail: 'boom', outputs: { exitCode: 2, logFile } })
    expect(existsSync(marker)).toBe(false)
  })

  it('runs again when the recorded runner is gone without an outcome', async () => {
    const marker = join(folder, 'rerun-marker')
    const logFile = join(folder, 'logs', 'gone.log')
    const previous = { pid: 2 ** 22 + 2, runnerStart: 1, logFile, exitFile: `${logFile}.exit.json`, startedAt: new Date().toISOString() }
    await mkdir(dirname(logFile), { recursive: true })
    const job = jobOf(nodeScript(`require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'ran\\n')`))
    const context = recordingContext()
    const outcome = await launcher.run(requestFor(job, { attempt: 8 }), context, previous)

    expect(outcome.ok).toBe(true)
    expect(context.records).toHaveLength(1)
    expect(await lines(marker)).toEqual(['ran'])
    expect(await readFile(logFile, 'utf8')).toContain('gone without an exit status: starting again')
  })

  it('preflight finds the program on PATH or at a path, and names the one it cannot find', async () => {
    expect(await launcher.preflight(cluster, jobOf(['node', '-v']))).toEqual([])
    expect(await launcher.preflight(cluster, jobOf([process.execPath]))).toEqual([])
    expect(await launcher.preflight(cluster, jobOf(['bf-no-such-program']))).toEqual([
      { severity: 'error', code: 'command-not-found', message: 'job.command: bf-no-such-program: not found on PATH' },
    ])
    expect(await launcher.preflight(cluster, jobOf(['./bin/nope.sh']))).toMatchObject([{ severity: 'error', code: 'command-not-found' }])
    expect(await launcher.preflight(cluster, jobOf([]))).toMatchObject([{ severity: 'error', code: 'command-missing' }])
  })

  it('describes the argv, quoted for a shell, and the env it adds', async () => {
    const job = jobOf(['./label.sh', '--customer', "o'brien & co"])
    const { signal: _signal, logDir: _logDir, ...request } = requestFor(job, { env: { RANGE_START: '2026-01-15T00:00:00Z', TOKEN: '***' } })
    expect(await launcher.describe(request)).toBe(
      ["command: ./label.sh --customer 'o'\\''brien & co'", 'env:', '  RANGE_START=2026-01-15T00:00:00Z', "  TOKEN='***'"].join('\n'),
    )
  })
})
