import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@clickhouse/client'
import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPlan } from '../../src/plan/load.js'
import { realLeaseClock } from '../../src/state/leased-lock.js'
import type { LeaseClock } from '../../src/state/leased-lock.js'
import { openClickHouseStateStore } from '../../src/state/clickhouse/open-store.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bfAsync, bfProcess, ensureBuilt, seedQuickstart } from '../support/cli.js'
import type { CliResult } from '../support/cli.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import type { ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { waitFor } from '../support/wait-for.js'

/**
 * Two working folders, as two machines: each its own copy of the plan file, nothing in
 * common but the ClickHouse server (an HTTP server over one engine, with its Keeper) that
 * holds the data, the state table and the KeeperMap lease.
 */
let dir: string
let http: ClickHouseHttpServer
let sql: ClickHouseClient
let folderA: string
let folderB: string
/** The plan file's text, its state in `bf.bf_state` under the plan name relabel-test. */
let planYaml: string
/** Each job's process writes a line here when it starts, and waits for `release` to exist. */
let ledger: string
let release: string
const DAYS = ['2026-01-01', '2026-01-02']
const JOBS = DAYS.map((day) => `local/alaska-air/${day}/job`)
/** Long enough for a bf process to start and be refused on a busy machine; short enough to wait for. */
const LEASE_MS = 6_000

/**
 * A job as a local command: it notes its start, waits to be released, then inserts the
 * unit's rows over the ClickHouse HTTP interface, as a labelling cron would.
 */
const JOB_SCRIPT = `import { appendFileSync, existsSync } from 'node:fs'
const { CUSTOMER, START, END, LEDGER, RELEASE, CLICKHOUSE } = process.env
appendFileSync(LEDGER, CUSTOMER + ' ' + START + '\\n')
while (!existsSync(RELEASE)) await new Promise((resolve) => setTimeout(resolve, 20))
const url = new URL(CLICKHOUSE)
for (const [name, value] of Object.entries({ customer: CUSTOMER, start: START, end: END })) url.searchParams.set('param_' + name, value)
const query = "INSERT INTO conversation_with_labels (conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at) " +
  "SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'assisted', toDateTime('2026-06-01 00:00:00') FROM conversation_d " +
  "WHERE customer_id = {customer:String} AND ended_at >= parseDateTimeBestEffort({start:String}) AND ended_at < parseDateTimeBestEffort({end:String})"
const response = await fetch(url, { method: 'POST', body: query })
if (!response.ok) { console.error(await response.text()); process.exit(1) }
`

beforeAll(async () => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-take-over-'))
  seedQuickstart(join(dir, 'data'), { customers: 1, days: DAYS.length, conversationsPerDay: 5 })
  http = await startClickHouseHttpServer({ dataPath: join(dir, 'data') })
  sql = createClient({ url: http.url })
  ledger = join(dir, 'ledger')
  release = join(dir, 'release')
  const script = join(dir, 'job.mjs')
  writeFileSync(script, JOB_SCRIPT)
  const env = [
    '  env:',
    '    CUSTOMER: "{{ customer }}"',
    '    START: "{{ batch.start }}"',
    '    END: "{{ batch.end }}"',
    `    LEDGER: ${JSON.stringify(ledger)}`,
    `    RELEASE: ${JSON.stringify(release)}`,
    `    CLICKHOUSE: ${JSON.stringify(http.url)}`,
    '',
  ].join('\n')
  const state = `state:\n  backend: clickhouse\n  lease: ${LEASE_MS / 1000}s\n`
  planYaml = relabelPlan({ customers: ['alaska-air'], end: '2026-01-03T00:00:00Z', extra: state, kind: 'command', command: [process.execPath, script], env }).replace(
    'embedded: ./data',
    `url: ${http.url}`,
  )
  folderA = join(dir, 'a')
  folderB = join(dir, 'b')
  for (const folder of [folderA, folderB]) {
    mkdirSync(folder)
    writeFileSync(join(folder, 'plan.yaml'), planYaml)
  }
})
afterAll(async () => {
  if (dir) writeFileSync(release, '')
  await sql?.close()
  await http?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** `bf ARGS` in `cwd` to its end, without blocking this process, which serves the ClickHouse bf talks to. */
const bfIn = (cwd: string, args: string[]): Promise<CliResult> => bfAsync(args, { cwd })

async function rows<T>(query: string): Promise<T[]> {
  return (await sql.query({ query, format: 'JSONEachRow' })).json<T>()
}

/** How many times the lease was renewed so far: each renewal is one conditional update served. */
const renewals = (): number => http.served.filter((statement) => /^ALTER TABLE `bf`\.`bf_state_lease` UPDATE/.test(statement.sql) && statement.error === undefined).length

/** The plan file in a new folder of its own, with `state:` as given. */
function planIn(folder: string, state: string): string {
  const where = join(dir, folder)
  mkdirSync(where, { recursive: true })
  writeFileSync(join(where, 'plan.yaml'), planYaml.replace(/^state:\n(?: {2}.*\n)+/m, state))
  return where
}

describe('an apply killed mid-way', () => {
  it('is refused to another folder while its lease lasts, then taken over: the started steps are reconciled and nothing runs twice', async () => {
    const first = bfProcess(['apply', 'plan.yaml', '--auto-approve'], { cwd: folderA })
    let output = ''
    first.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    first.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const bothRunning = (): boolean => (output.match(/: command started \(runner pid \d+\)/g) ?? []).length === JOBS.length
    await waitFor(bothRunning, { what: () => `both jobs to run; bf wrote:\n${output}`, timeoutMs: 30_000, intervalMs: 5 })
    // Killed just after a renewal, so its lease has nearly all its length left.
    const renewed = renewals()
    await waitFor(() => renewals() > renewed, { what: 'a renewal of the lease', timeoutMs: LEASE_MS, intervalMs: 2 })
    const exited = once(first, 'close')
    first.kill('SIGKILL')
    await exited
    // The jobs A started go on without it: they may finish now.
    writeFileSync(release, '')

    const refused = await bfIn(folderB, ['apply', 'plan.yaml', '--auto-approve'])
    expect(refused.status).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(
      new RegExp(
        `^Error: state is locked by \\S+@\\S+ \\(pid ${first.pid}, apply, since \\S+, expires (\\S+), lock id (\\S+)\\); that process is no longer running, and its lease expires at \\1: ` +
          'then the next bf apply takes it over; pass --lock-timeout \\(e\\.g\\. 1m\\) to wait for that, or remove its lock now: bf unlock plan\\.yaml \\2\\n$',
      ),
    )
    const holder = /since (\S+), expires (\S+), lock id (\S+)\)/.exec(refused.stderr)!
    const expires = Date.parse(holder[2]!)

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now())))
    const served = http.served.length
    const second = await bfIn(folderB, ['apply', 'plan.yaml', '--auto-approve'])
    expect(second.status, second.stdout + second.stderr).toBe(0)
    // The state's tables exist: no DDL, which would need CREATE grants a state user may not have.
    expect(http.served.slice(served).filter((statement) => /^\s*(CREATE|DROP|ALTER TABLE \S+ (ADD|MODIFY))/i.test(statement.sql))).toEqual([])
    expect(second.stderr).toMatch(
      new RegExp(`^Warning: took over the expired lease of \\S+@\\S+ \\(pid ${first.pid}, apply, since ${holder[1]}, expires \\S+, lock id ${holder[3]}\\) \\(KeeperMap table bf\\.bf_state_lease\\)\\n$`),
    )
    for (const job of JOBS) expect(second.stdout).toMatch(new RegExp(`${job}: command \\(runner pid \\d+\\) (had already ended; adopting its outcome|is still running; waiting for it)`))
    expect(second.stdout).toMatch(/Apply complete: 5 succeeded, 0 failed, 0 skipped\./)

    // Every job ran once, and every step succeeded once across both applies.
    expect(readFileSync(ledger, 'utf8').trim().split('\n').sort()).toEqual(DAYS.map((day) => `alaska-air ${day}T00:00:00Z`))
    const transitions = await rows<{ address: string; type: string; n: string }>(
      "SELECT address, JSONExtractString(body, 'type') AS type, toUInt32(count()) AS n FROM bf.bf_state WHERE plan = 'relabel-test' AND is_step = 1 AND what = 'event' " +
        "AND address != 'local/check' AND type IN ('started', 'succeeded', 'failed') GROUP BY address, type ORDER BY address, type",
    )
    const steps = [...['delete', 'await-mutation'].map((step) => `local/alaska-air/${step}`), ...DAYS.flatMap((day) => ['job', 'verify'].map((step) => `local/alaska-air/${day}/${step}`))].sort()
    expect(transitions).toEqual(steps.flatMap((address) => ['started', 'succeeded'].map((type) => ({ address, type, n: 1 }))))
    const [data] = await rows<{ rows: string; keys: string; expected: string }>(
      "SELECT count() AS rows, uniqExact(conversation_id) AS keys, (SELECT count() FROM conversation_d WHERE customer_id = 'alaska-air') AS expected FROM conversation_with_labels WHERE customer_id = 'alaska-air'",
    )
    // Every expected row once: none lost, none written twice.
    expect([data!.rows, data!.keys, data!.expected].map(Number)).toEqual([10, 10, 10])

    const plan = await bfIn(folderA, ['plan', 'plan.yaml', '--detailed-exitcode'])
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
    expect(plan.stdout).toContain('No changes.')
    expect(existsSync(join(folderB, '.bf', 'state'))).toBe(false)
  })
})

/*
 * The plan applied above, its state moved between backends and tables: each plan file below
 * is the same plan in a folder of its own, its state in a table of its own.
 */
describe('state transfer on ClickHouse', () => {
  const FOREIGN = '4a0c1e7e-0000-4000-8000-000000000000'
  let pulled: string
  let document: { lineage: string; serial: number; steps: unknown[] }
  let moved: string
  const clickhouseState = (table: string): string => `state:\n  backend: clickhouse\n  table: ${table}\n  lease: ${LEASE_MS / 1000}s\n`

  it('bf state migrate copies a file state folder into ClickHouse and pull → push round-trips there, keeping lineage and serial; push of another lineage needs --force', async () => {
    const pull = await bfIn(folderB, ['state', 'pull', 'plan.yaml'])
    expect(pull.status, pull.stderr).toBe(0)
    pulled = pull.stdout
    document = JSON.parse(pulled) as typeof document
    expect(document.steps).toHaveLength(7)
    // A file backend's state folder holding that state: a pulled state is a folder's snapshot.json.
    const from = join(dir, 'files', '.bf', 'state', 'relabel-test')
    mkdirSync(from, { recursive: true })
    writeFileSync(join(from, 'snapshot.json'), pulled)
    moved = planIn('moved', clickhouseState('moved_state'))
    writeFileSync(join(moved, 'pulled.json'), pulled)
    const pushed = planIn('pushed', clickhouseState('pushed_state'))
    writeFileSync(join(pushed, 'pulled.json'), pulled)
    writeFileSync(join(pushed, 'foreign.json'), pulled.replace(`"lineage":"${document.lineage}"`, `"lineage":"${FOREIGN}"`))

    // Two plans, two tables: the migrate and the push go on side by side.
    const [migrate, push] = await Promise.all([bfIn(moved, ['state', 'migrate', 'plan.yaml', '--from', from]), bfIn(pushed, ['state', 'push', 'plan.yaml', 'pulled.json'])])
    expect(migrate.status, migrate.stderr).toBe(0)
    expect(migrate.stdout).toBe(
      `Copied the state of relabel-test from ${from} to clickhouse local bf.moved_state: 7 steps, lineage ${document.lineage}, serial ${document.serial} (there was no state before).\n`,
    )
    expect(push.status, push.stderr).toBe(0)
    expect(push.stdout).toBe(
      `Pushed pulled.json to the state of relabel-test in clickhouse local bf.pushed_state: 7 steps, lineage ${document.lineage}, serial ${document.serial} (there was no state before).\n`,
    )

    // The migrated state read from another folder: the same plan as before the move.
    const elsewhere = planIn('elsewhere', clickhouseState('moved_state'))
    const [plan, migrated, roundTrip] = await Promise.all([
      bfIn(elsewhere, ['plan', 'plan.yaml', '--detailed-exitcode']),
      bfIn(elsewhere, ['state', 'pull', 'plan.yaml']),
      bfIn(pushed, ['state', 'pull', 'plan.yaml']),
    ])
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
    expect(plan.stdout).toContain('No changes.')
    expect(migrated.stdout).toBe(pulled)
    expect(roundTrip.stdout).toBe(pulled)

    const refused = await bfIn(pushed, ['state', 'push', 'plan.yaml', 'foreign.json'])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toBe(
      `Error: foreign.json has lineage ${FOREIGN} but the state of relabel-test has lineage ${document.lineage} (serial ${document.serial}): ` +
        'they are different histories; check you have the right state, or --force replaces the state anyway\n',
    )
    const forced = await bfIn(pushed, ['state', 'push', 'plan.yaml', 'foreign.json', '--force'])
    expect(forced.status, forced.stderr).toBe(0)
    expect(forced.stdout).toBe(
      `Pushed foreign.json to the state of relabel-test in clickhouse local bf.pushed_state: 7 steps, lineage ${FOREIGN}, serial ${document.serial} (it replaced lineage ${document.lineage}, serial ${document.serial}).\n`,
    )
  })

  it('pull and push are refused while an apply holds the lease, naming it; an apply with --lock-timeout waits for the lease to expire', async () => {
    const { spec } = await loadPlan(join(moved, 'plan.yaml'))
    // The holder renews its lease until it freezes, as a process stopped in a debugger would.
    let frozen = false
    const clock: LeaseClock = {
      now: () => Date.now(),
      sleep: (ms, signal) => (frozen ? new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })) : realLeaseClock.sleep(ms, signal)),
    }
    if (spec.state.backend !== 'clickhouse') throw new Error('a clickhouse state was expected')
    const store = openClickHouseStateStore(spec, { ...spec.state, leaseMs: 2_000 }, process.env, { clock })
    const lock = await store.lock({ operation: 'apply', timeoutMs: 0 })
    try {
      const refusals = await Promise.all([bfIn(moved, ['state', 'pull', 'plan.yaml']), bfIn(moved, ['state', 'push', 'plan.yaml', 'pulled.json'])])
      for (const refused of refusals) {
        expect(refused.status).toBe(1)
        expect(refused.stdout).toBe('')
        expect(refused.stderr).toMatch(
          new RegExp(`^Error: state is locked by \\S+ \\(pid ${process.pid}, apply, since \\S+, expires \\S+, lock id ${lock.info.id}\\); wait for it to finish, or pass --lock-timeout \\(e\\.g\\. 10m\\) to wait for it\\n$`),
        )
      }

      frozen = true
      const waitedFrom = Date.now()
      const apply = await bfIn(moved, ['apply', 'plan.yaml', '--auto-approve', '--lock-timeout', '10s'])
      expect(apply.status, apply.stdout + apply.stderr).toBe(0)
      const warning = new RegExp(`^Warning: took over the expired lease of \\S+ \\(pid ${process.pid}, apply, since \\S+, expires (\\S+), lock id ${lock.info.id}\\) \\(KeeperMap table bf\\.moved_state_lease\\)\\n$`).exec(apply.stderr)
      expect(warning, apply.stderr).not.toBeNull()
      // Started while the lease still ran, it took it over only once it had expired.
      const expired = Date.parse(warning![1]!)
      expect(waitedFrom).toBeLessThan(expired)
      expect(Date.now()).toBeGreaterThanOrEqual(expired)
      expect(apply.stdout).toContain('No changes.')
    } finally {
      await lock.release()
      await store.close()
    }
  })
})
