import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TempDirs } from '../reliability/workspace.js'
import { bf, bfProcess, ensureBuilt, ROOT, seedQuickstart } from '../support/cli.js'
import { waitFor } from '../support/wait-for.js'

const dirs = new TempDirs()
/** The seeded data and the quickstart plan, never changed: each test works on a copy. */
let seeded: string
/** The same after one complete `bf apply`, made when a test first needs it, never changed either. */
let applied: string | undefined

beforeAll(() => {
  ensureBuilt()
  seeded = dirs.make('bf-cli-seeded-')
  seedQuickstart(join(seeded, 'data'), { customers: 3, days: 14, conversationsPerDay: 20 })
  copyFileSync(join(ROOT, 'examples', 'quickstart', 'plan.yaml'), join(seeded, 'plan.yaml'))
})
afterAll(() => dirs.removeAll())

/** A folder of the test's own with a copy of `from` (data, plan file and state), and its plan file. */
function copyOf(from: string): { dir: string; plan: string } {
  const dir = dirs.copy(from, 'bf-cli-')
  return { dir, plan: join(dir, 'plan.yaml') }
}

/** Fresh data, no state. */
const fresh = (): { dir: string; plan: string } => copyOf(seeded)

/** Data and state after a complete apply of the quickstart plan. */
function afterApply(): { dir: string; plan: string } {
  if (applied === undefined) {
    const first = fresh()
    const run = bf(['apply', first.plan, '--auto-approve'])
    expect(run.status, run.stderr).toBe(0)
    applied = first.dir
  }
  return copyOf(applied)
}

describe('bf on the command line', () => {
  it('shows usage with examples', () => {
    const help = bf(['--help'])
    expect(help.status).toBe(0)
    for (const command of ['validate', 'plan', 'apply', 'verify', 'graph', 'unlock', 'state']) expect(help.stdout).toContain(command)
    const validate = bf(['validate', '--help'])
    expect(validate.stdout).toContain('EXAMPLES')
    expect(validate.stdout).toContain('bf validate plans/2026.yaml')
  })

  it('validates the reference plan and names the variables it needs', () => {
    const run = bf(['validate', 'plans/2026.yaml'])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('plans/2026.yaml is valid')
    expect(run.stdout).toContain('needs environment variables: CLICKHOUSE_PASSWORD')
  })

  it('reports every error of a broken plan with file:line:col and no stack trace', () => {
    const run = bf(['validate', 'test/fixtures/invalid/many-errors.yaml'])
    expect(run.status).toBe(1)
    const lines = run.stderr.trim().split('\n')
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.every((line) => /^test\/fixtures\/invalid\/many-errors\.yaml:\d+:\d+: /.test(line))).toBe(true)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('plans as JSON with the documented shape, and exits 2 with --detailed-exitcode', () => {
    const { plan } = fresh()
    const run = bf(['plan', plan, '--json', '--detailed-exitcode'])
    expect(run.status).toBe(2)
    const document = JSON.parse(run.stdout) as { format_version: string; summary: { create: number; steps: Record<string, number>; rows_to_delete: number }; units: { live: { rows: number; keys: number } }[] }
    expect(document.format_version).toBe('1')
    expect(document.summary).toMatchObject({ create: 42, steps: { check: 1, delete: 3, 'await-mutation': 3, job: 42, verify: 42 } })
    expect(document.summary.rows_to_delete).toBeGreaterThan(840)
    expect(document.units.some((unit) => unit.live.rows > unit.live.keys)).toBe(true)
  })

  it('renders markdown and the graph', () => {
    const { plan } = fresh()
    const markdown = bf(['plan', plan, '--markdown'])
    expect(markdown.status).toBe(0)
    expect(markdown.stdout).toContain('<details>')
    const graph = bf(['graph', plan, '--format', 'dot'])
    expect(graph.stdout).toContain('"local/check" -> "local/alaska-air/delete"')
  })

  it('refuses to apply without a terminal unless --auto-approve', () => {
    const { plan } = fresh()
    const run = bf(['apply', plan])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('pass --auto-approve')
  })

  it('applies a saved plan once, then calls it stale', () => {
    const { dir, plan } = fresh()
    const saved = join(dir, 'quickstart.plan')
    expect(bf(['plan', plan, '-o', saved]).status).toBe(0)
    const applied = bf(['apply', saved])
    expect(applied.status, applied.stderr).toBe(0)
    expect(applied.stdout).toContain('Apply complete: 91 succeeded, 0 failed, 0 skipped.')
    const again = bf(['apply', saved])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/Saved plan is stale: the state moved on/)
    const next = bf(['plan', plan, '--detailed-exitcode'])
    expect(next.status).toBe(0)
    expect(next.stdout).toContain('No changes. Every unit is backfilled and verified.')
  })

  it('lists, shows and forgets steps in state', () => {
    const { plan } = afterApply()
    const list = bf(['state', 'list', plan])
    expect(list.stdout).toMatch(/local\/acme\/2026-01-03\/job\s+succeeded\s+1/)
    const show = bf(['state', 'show', plan, 'local/acme/2026-01-03/job'])
    expect(show.stdout).toContain('queryId')
    expect(bf(['state', 'rm', plan, 'local/acme/2026-01-03/job', 'local/acme/2026-01-03/verify']).status).toBe(0)
    const replanned = bf(['plan', plan, '--json'])
    const json = JSON.parse(replanned.stdout) as { units: { address: string; action: string; reasons: string[] }[]; steps: { address: string; kind: string; ranges?: unknown }[] }
    const changed = json.units.filter((unit) => unit.action !== 'no-op')
    // The unit's rows are live but no job of bf wrote them any more: acme's delete re-runs over that day alone.
    expect(changed).toEqual([{ address: 'local/acme/2026-01-03', action: 'create', reasons: ['rows are live but no job of bf wrote them: they are deleted first'], live: expect.anything(), deleted_first: true }])
    expect(json.steps.filter((step) => step.kind === 'delete')).toEqual([
      expect.objectContaining({ address: 'local/acme/delete', ranges: [{ start: '2026-01-03T00:00:00Z', end: '2026-01-04T00:00:00Z' }] }),
    ])
    expect(bf(['apply', plan, '--auto-approve']).status).toBe(0)
    const missing = bf(['state', 'show', plan, 'local/nope/job'])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('no such step in state')
  })

  it("warns of a state's damaged last line when planning, and plans from the lines before it", () => {
    const { dir, plan } = afterApply()
    const journal = join(dir, '.bf', 'state', 'quickstart', 'journal.jsonl')
    // Cut short as a crash leaves it (after a compaction, the journal holds no line before it).
    writeFileSync(journal, `${existsSync(journal) ? readFileSync(journal, 'utf8') : ''}{"serial":`)
    const planned = bf(['plan', plan, '--detailed-exitcode'])
    expect(planned.status, planned.stderr).toBe(0)
    expect(planned.stderr).toMatch(/^Warning: .*journal\.jsonl:\d+: ignored a damaged last line/m)
    expect(planned.stdout).toContain('No changes.')
  })

  it('stops at a safe point on the first SIGINT and resumes the same job', async () => {
    const { dir, plan } = fresh()
    const slow = join(dir, 'slow.yaml')
    const marker = join(dir, 'runs.txt')
    const release = join(dir, 'release')
    // The job notes its run, then runs until the test lets it finish (or fails after 30 s).
    const script = `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(marker)}, process.env.CUSTOMER + '\\n');
      const deadline = Date.now() + 30000;
      const tick = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)})) clearInterval(tick); else if (Date.now() > deadline) process.exit(4) }, 10)`
    writeFileSync(
      slow,
      readFileSync(plan, 'utf8')
        .replace(/name: quickstart/, 'name: slow')
        .replace(/job:\n {2}kind: sql\n {2}sql: \|\n(?: {4}.*\n)+/, `job:\n  kind: command\n  command: ${JSON.stringify([process.execPath, '-e', script])}\n  env:\n    CUSTOMER: "{{ customer }}"\n`)
        .replace('customers: [alaska-air, acme, globex]', 'customers: [alaska-air]')
        .replace('end: 2026-01-15T00:00:00Z', 'end: 2026-01-02T00:00:00Z')
        .replace(/verify:\n(?: {2}.*\n)+/, 'verify:\n  duplicates: false\n'),
    )
    const child = bfProcess(['apply', slow, '--auto-approve'])
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    // Interrupted while the job runs: it must be let finish, and not be run again on resume.
    await waitFor(() => existsSync(marker) && output.includes('/job started'), { what: () => `the job to start; bf wrote:\n${output}`, timeoutMs: 60_000 })
    child.kill('SIGINT')
    await waitFor(() => output.includes('Interrupted (SIGINT)'), { what: 'bf to acknowledge SIGINT', timeoutMs: 30_000 })
    expect(child.exitCode).toBeNull()
    writeFileSync(release, '')
    expect(await exited).toBe(1)
    expect(output).toMatch(/interrupt/i)
    const resumed = bf(['apply', slow, '--auto-approve'])
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0)
    expect(readFileSync(marker, 'utf8')).toBe('alaska-air\n')
  })
})
