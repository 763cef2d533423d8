import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bf, bfProcess, ensureBuilt } from '../support/cli.js'
import { waitFor } from '../support/wait-for.js'
import { quickstartWorkspace, TempDirs } from '../reliability/workspace.js'

/** Every job waits for the file `go` in the workspace: the test decides when the first one ends. */
const plan = `version: 1
name: paused
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: false
job:
  kind: command
  command: [sh, -c, 'while [ ! -f go ]; do sleep 0.02; done']
  concurrency: 1
verify: { duplicates: false }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [alaska-air]
`

interface Event {
  type: string
  address?: string
  status?: string
  by?: string
  reason?: string
}

const dirs = new TempDirs()
beforeAll(() => ensureBuilt())
afterAll(() => dirs.removeAll())

describe('bf pause and bf resume, from other processes, on a running apply', () => {
  it('holds every new step while paused, lets the running one finish, shows the pause in bf plan, and goes on after resume', { timeout: 120_000 }, async () => {
    const dir = quickstartWorkspace(dirs, plan, { customers: 1, days: 2, conversationsPerDay: 5 })
    const apply = bfProcess(['apply', 'plan.yaml', '--auto-approve', '--json'], { cwd: dir })
    let output = ''
    let errors = ''
    apply.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    apply.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => apply.on('close', (code) => resolve(code)))
    const events = (): Event[] =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Event)
    const has = (test: (event: Event) => boolean) => () => events().some(test)
    const what = (text: string) => () => `${text}; bf wrote:\n${output}\n${errors}`
    const firstJob = 'local/alaska-air/2026-01-01/job'

    await waitFor(has((event) => event.type === 'step_start' && event.address === firstJob), { what: what('the first job to start'), timeoutMs: 60_000 })
    const paused = bf(['pause', 'plan.yaml', '--reason', 'dashboards are slow'], { cwd: dir })
    expect(paused.status, paused.stderr).toBe(0)
    expect(paused.stdout).toContain('Paused paused: a running apply starts nothing new within a few seconds')
    await waitFor(has((event) => event.type === 'paused'), { what: what('the apply to see the pause'), timeoutMs: 10_000 })

    writeFileSync(join(dir, 'go'), '')
    await waitFor(has((event) => event.type === 'step_done' && event.address === firstJob), { what: what('the running job to finish'), timeoutMs: 30_000 })

    const shown = bf(['plan', 'plan.yaml', '--refresh=false'], { cwd: dir })
    expect(shown.stdout).toMatch(/^Paused: paused by \S+@\S+ \(pid \d+\) since \S+: dashboards are slow\. bf apply starts no step until bf resume\.$/m)

    const resumed = bf(['resume', 'plan.yaml'], { cwd: dir })
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/^Resumed paused \(paused by .* dashboards are slow\)\.$/m)
    expect(await exited, what('the apply to end')()).toBe(0)

    const all = events()
    const pausedAt = all.findIndex((event) => event.type === 'paused')
    const resumedAt = all.findIndex((event) => event.type === 'resumed')
    expect(all[pausedAt]).toMatchObject({ reason: 'dashboards are slow', by: expect.stringMatching(/@.+\(pid \d+\)$/) as unknown })
    expect(resumedAt).toBeGreaterThan(pausedAt)
    const between = all.slice(pausedAt + 1, resumedAt)
    // The job running when the pause came finished; nothing started until the resume.
    expect(between.filter((event) => event.type === 'step_start')).toEqual([])
    expect(between.filter((event) => event.type === 'step_done').map((event) => event.address)).toEqual([firstJob])
    expect(all.at(-1)).toMatchObject({ type: 'apply_done', failed: 0, skipped: 0, interrupted: false })
    expect(all.filter((event) => event.type === 'step_start').map((event) => event.address)).toContain('local/alaska-air/2026-01-02/job')
    expect(bf(['resume', 'plan.yaml'], { cwd: dir }).stdout).toBe('paused was not paused.\n')
  })
})
