import { readFileSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { applyPlan } from '../../src/engine/apply.js'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { Launcher } from '../../src/launchers/launcher.js'
import type { ApplyEvent } from '../../src/engine/events.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { ALL, FAST, openWorkspace, relabelPlan, testApplyRequest } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { waitForFile } from '../support/wait-for.js'

let ws: EmbeddedWorkspace

// Each test has a workspace of its own: fresh data, no state, no plan file.
beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 3, days: 3, conversationsPerDay: 30, start: '2026-01-01T00:00:00Z' })
})
afterEach(async () => {
  vi.restoreAllMocks()
  await ws.close()
})

// FileHandle is not exported: reach its prototype through a handle, to see every write of the journal.
const probe = await open(fileURLToPath(import.meta.url), 'r')
await probe.close()
const fileHandle = Object.getPrototypeOf(probe) as FileHandle
const { write: realWrite } = fileHandle

/** The step events of every write to a journal from now on, one list per write. */
function journalWrites(): { type: string; address: string }[][] {
  const writes: { type: string; address: string }[][] = []
  vi.spyOn(fileHandle, 'write').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
    const lines = String(args[0]).trimEnd().split('\n')
    const events = lines.flatMap((line) => {
      const entry = JSON.parse(line) as { event?: { type: string; address: string } }
      return entry.event ? [entry.event] : []
    })
    if (events.length > 0) writes.push(events)
    return Reflect.apply(realWrite, this, args) as ReturnType<FileHandle['write']>
  } as FileHandle['write'])
  return writes
}

const duplicates = async (): Promise<number> => {
  const [row] = await ws.rows<{ d: string }>('SELECT count() - uniqExact(customer_id, conversation_id) AS d FROM conversation_with_labels FINAL')
  return Number(row?.d)
}

describe('bf apply on the embedded engine', () => {
  it('removes the stale rows, and a second apply does nothing', async () => {
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme', 'globex'], canary: ['alaska-air'] }))
    expect(await duplicates()).toBeGreaterThan(0)
    const first = await ws.apply()
    expect(first.kind).toBe('applied')
    if (first.kind !== 'applied') return
    expect(first.result).toMatchObject({ failed: 0, skipped: 0, succeeded: 1 + 3 + 3 + 9 + 9 })
    expect(await duplicates()).toBe(0)
    const [counts] = await ws.rows<{ target: string; truth: string }>(
      `SELECT (SELECT uniqExact(conversation_id) FROM conversation_with_labels WHERE conversation_end_time < '2026-01-04') AS target,
              (SELECT count() FROM conversation_d WHERE ended_at < '2026-01-04') AS truth`,
    )
    expect(counts?.target).toBe(counts?.truth)
    const second = await ws.apply()
    expect(second.kind).toBe('no-changes')
  })

  it('runs the canary to verified before any other customer starts', async () => {
    ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme', 'globex'], canary: ['acme'] }).replace("'assisted'", "'canary-run'"))
    const run = await ws.apply()
    const order = run.events.filter((event) => event.type === 'step_start').map((event) => (event.type === 'step_start' ? event.address : ''))
    const lastCanaryVerify = Math.max(...order.map((address, i) => (address.startsWith('local/acme/') && address.endsWith('/verify') ? i : -1)))
    const firstOther = order.findIndex((address) => address.startsWith('local/alaska-air/') || address.startsWith('local/globex/'))
    expect(lastCanaryVerify).toBeGreaterThan(0)
    expect(firstOther).toBeGreaterThan(lastCanaryVerify)
  })

  it('one job at a time: the next job\'s start is recorded while the last one runs, and it runs once that one is over', async () => {
    const runs = join(ws.dir, 'runs.txt')
    const script = "const fs = require('node:fs'); fs.appendFileSync(process.env.RUNS, 'start ' + process.env.DAY + '\\n'); setTimeout(() => fs.appendFileSync(process.env.RUNS, 'end ' + process.env.DAY + '\\n'), 150)"
    const env = `  env:\n    RUNS: ${JSON.stringify(runs)}\n    DAY: "{{ batch.date }}"\n`
    ws.writePlan(relabelPlan({ customers: ['acme'], kind: 'command', command: [process.execPath, '-e', script], env }))
    const writes = journalWrites()
    const run = await ws.apply({}, { concurrency: 1 })
    expect(run.kind === 'applied' && run.result.interrupted).toBe(false)
    const lines = readFileSync(runs, 'utf8').trim().split('\n')
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['start', 'end', 'start', 'end', 'start', 'end'])
    const days = ['2026-01-01', '2026-01-02', '2026-01-03']
    const writeOf = (type: string, address: string): number => writes.findIndex((events) => events.some((e) => e.type === type && e.address === address))
    for (const [day, next] of days.slice(0, -1).map((d, i) => [d, days[i + 1]])) {
      const nextStart = writeOf('started', `local/acme/${next}/job`)
      expect(nextStart).toBeGreaterThanOrEqual(0)
      expect(nextStart).toBeLessThan(writeOf('succeeded', `local/acme/${day}/job`))
    }
    // A verify still starts only once its job's end is on disk.
    expect(writeOf('started', 'local/acme/2026-01-01/verify')).toBeGreaterThan(writeOf('succeeded', 'local/acme/2026-01-01/job'))
  })

  it('after a stop, the jobs recorded ahead (8 at most) show as started, and the next apply runs each once', async () => {
    const runs = join(ws.dir, 'runs.txt')
    const script = "require('node:fs').appendFileSync(process.env.RUNS, process.env.DAY + '\\n')"
    const env = `  env:\n    RUNS: ${JSON.stringify(runs)}\n    DAY: "{{ batch.date }}"\n`
    ws.writePlan(relabelPlan({ customers: ['acme'], end: '2026-01-13T00:00:00Z', kind: 'command', command: [process.execPath, '-e', script], env }))
    const stop = new AbortController()
    const stopAtFirstJob = (event: ApplyEvent): void => {
      if (event.type === 'step_start' && event.kind === 'job') stop.abort()
    }
    const first = await ws.apply({}, { concurrency: 1 }, process.env, [stopAtFirstJob], stop.signal)
    expect(first.kind === 'applied' && first.result.interrupted).toBe(true)
    const spec = await ws.load()
    const jobs = [...(await new FileStateStore(spec.statePath, spec.name).read()).steps.values()].filter((record) => record.kind === 'job')
    expect(jobs.filter((record) => record.status === 'succeeded')).toHaveLength(1)
    expect(jobs.filter((record) => record.status === 'started')).toHaveLength(8)
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toEqual(['2026-01-01'])

    const second = await ws.apply({}, { concurrency: 1 })
    expect(second.kind === 'applied' && second.result.interrupted).toBe(false)
    const after = [...(await new FileStateStore(spec.statePath, spec.name).read()).steps.values()].filter((record) => record.kind === 'job')
    expect(after.map((record) => record.status)).toEqual(Array(12).fill('succeeded'))
    // The jobs recorded ahead were taken up as started ones, and each ran once.
    expect(second.events.filter((event) => event.type === 'step_start' && event.kind === 'job' && event.resumed)).toHaveLength(8)
    const days = readFileSync(runs, 'utf8').trim().split('\n')
    for (let day = 2; day <= 12; day++) expect(days.filter((ran) => ran === `2026-01-${String(day).padStart(2, '0')}`)).toHaveLength(1)
  })

  it('runs a job whose launcher cannot name the attempt ahead, instead of breaking the apply', async () => {
    ws.writePlan(relabelPlan({ customers: ['acme'], end: '2026-01-02T00:00:00Z' }))
    const spec = await ws.load()
    const engine = await openEngine(spec)
    try {
      const sql = engine.deps.launcher('sql')
      const unnamed: Launcher = {
        kind: sql.kind,
        onFirstStop: sql.onFirstStop,
        preflight: (cluster, job) => sql.preflight(cluster, job),
        describe: (request) => sql.describe(request),
        run: (request, context, previous) => sql.run(request, context, previous),
        identify: () => Promise.reject(new Error('cannot name the attempt')),
        close: () => sql.close(),
      }
      const run = await applyPlan(testApplyRequest(spec, { ...engine.deps, launcher: () => unnamed }, { kind: 'plan', options: ALL }, { executor: FAST }))
      expect(run.kind === 'applied' && run.result).toMatchObject({ failed: 0, skipped: 0, succeeded: 5 })
    } finally {
      await engine.close()
    }
  })

  it('retries a failing job, then reports it with its log tail and skips its verify', async () => {
    ws.writePlan(
      relabelPlan({
        customers: ['acme'],
        kind: 'command',
        retries: 1,
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
        command: [process.execPath, '-e', "console.log('cannot reach labeler for ' + process.env.CUSTOMER); process.exit(3)"],
        env: '  env:\n    CUSTOMER: "{{ customer }}"\n',
      }),
    )
    const run = await ws.apply()
    expect(run.kind).toBe('applied')
    if (run.kind !== 'applied') return
    expect(run.result.failed).toBe(1)
    expect(run.result.skipped).toBe(1)
    const failure = run.result.failures[0]
    expect(failure?.address).toBe('local/acme/2026-01-01/job')
    expect(failure?.error).toMatch(/exited with code 3/)
    expect(failure?.logTail).toContain('cannot reach labeler for acme')
    const attempts = run.events.filter((event) => event.type === 'step_start' && event.address === 'local/acme/2026-01-01/job')
    expect(attempts).toHaveLength(2)
    const plan = await ws.plan()
    expect(plan.units[0]).toMatchObject({ action: 'replace' })
    expect(plan.units[0]?.reasons[0]).toMatch(/^failed: command exited with code 3/)
  })

  it('never lets two applies run at once', async () => {
    const started = join(ws.dir, 'job-started')
    const release = join(ws.dir, 'job-release')
    // The job says it started, then runs until the test lets it finish (or fails after 30 s).
    const script = `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(started)}, '');
      const deadline = Date.now() + 30000;
      const tick = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)})) clearInterval(tick); else if (Date.now() > deadline) process.exit(4) }, 10)`
    ws.writePlan(
      relabelPlan({
        customers: ['globex'],
        kind: 'command',
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
        command: [process.execPath, '-e', script],
      }),
    )
    const first = ws.apply()
    // A job runs only while its apply holds the lock.
    await waitForFile(started, { what: "the first apply's job to start" })
    await expect(ws.apply()).rejects.toThrow(/locked by .* lock id/)
    writeFileSync(release, '')
    const done = await first
    expect(done.kind).toBe('applied')
    const job = done.events.find((event) => event.type === 'step_done' && event.address === 'local/globex/2026-01-01/job')
    expect(job?.type === 'step_done' && job.status).toBe('succeeded')
  })
})
