import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@clickhouse/client'
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { JobContext, JobRequest } from '../../src/launchers/launcher.js'
import { insertDeduplicationToken, insertQueryId, SqlLauncher } from '../../src/launchers/sql.js'
import type { ClusterSpec, JobSpec } from '../../src/plan/model.js'
import { prepareQuickstart } from '../../src/quickstart/index.js'
import type { JsonValue } from '../../src/state/model.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import type { QueryStatus, Warehouse } from '../../src/warehouse/warehouse.js'
import { waitFor } from '../support/wait-for.js'

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>

const PER_DAY = 40
const ADVERSARIAL = "a' OR '1'='1"
const DAY_2 = Date.parse('2026-01-02T00:00:00Z')

const RELABEL = `
  -- re-label one customer and day
  INSERT INTO conversation_with_labels (conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at)
  SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, {cluster:String}, ended_at
  FROM conversation_d
  WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}`

let folder: string
let cluster: ClusterSpec
let warehouse: Warehouse
let sql: ClickHouseClient

async function value(query: string, params: Record<string, unknown> = {}): Promise<number> {
  const result = await sql.query({ query, query_params: params, format: 'JSONEachRow' })
  const [row] = await result.json<{ v: number | string }>()
  return Number(row?.v)
}

function jobOf(extra: Partial<JobSpec> = {}): JobSpec {
  return { kind: 'sql', sql: RELABEL, env: {}, retries: 0, concurrency: 1, ...extra }
}

function requestFor(customer: string, extra: Partial<JobRequest> = {}): JobRequest {
  return {
    planName: 'quickstart',
    lineage: '5f0c2a7e-1b2c-4d5e-8f90-123456789abc',
    address: `local/${customer}/2026-01-02/job`,
    unitAddress: `local/${customer}/2026-01-02`,
    cluster,
    customer,
    batch: { start: DAY_2, end: DAY_2 + 86_400_000, label: '2026-01-02' },
    attempt: 1,
    job: jobOf(),
    env: {},
    logDir: join(folder, 'logs'),
    signal: new AbortController().signal,
    ...extra,
  }
}

function recordingContext(): JobContext & { records: Record<string, JsonValue>[]; notes: string[] } {
  const records: Record<string, JsonValue>[] = []
  const notes: string[] = []
  return { records, notes, record: async (outputs) => void records.push(outputs), note: (message) => notes.push(message) }
}

/**
 * The real warehouse with the server's answer about queries scripted: the embedded engine
 * keeps no query log, so it only ever answers `unknown`.
 */
function withQueryStatuses(statuses: QueryStatus[]): Warehouse & { inserts: number; lookups: string[] } {
  const wrapped = Object.create(warehouse) as Warehouse & { inserts: number; lookups: string[] }
  wrapped.inserts = 0
  wrapped.lookups = []
  wrapped.insert = (...args) => {
    wrapped.inserts++
    return warehouse.insert(...args)
  }
  wrapped.queryStatus = async (queryId) => {
    wrapped.lookups.push(queryId)
    return statuses.shift() ?? 'unknown'
  }
  return wrapped
}

const labelsOf = (customer: string): Promise<number> => value('SELECT count() AS v FROM conversation_with_labels WHERE customer_id = {c:String}', { c: customer })

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bf-sql-'))
  const path = join(folder, 'data')
  await prepareQuickstart(path, { customers: 2, days: 3, conversationsPerDay: PER_DAY })
  cluster = { name: 'local', clickhouse: { embedded: path, settings: {} }, customers: [] }
  warehouse = await openWarehouse(cluster)
  const { createChdbConnection } = await import('chdb/connection')
  sql = createClient({ connection: createChdbConnection({ path }) as unknown as Connection })
  // A customer whose id would widen an INSERT that spliced it into SQL text.
  await sql.command({
    query: `INSERT INTO conversation_d SELECT concat('x', conversation_id), {c:String}, profile_id, agent_user_id, ended_at FROM conversation_d WHERE customer_id = 'alaska-air'`,
    query_params: { c: ADVERSARIAL },
  })
  // Block deduplication as a replicated table does it, for the re-sent attempt below.
  await sql.command({ query: 'ALTER TABLE conversation_with_labels MODIFY SETTING non_replicated_deduplication_window = 1000' })
})

beforeEach(async () => {
  await sql.command({ query: 'TRUNCATE TABLE conversation_with_labels' })
})

afterAll(async () => {
  await warehouse?.close()
  await sql?.close()
  await rm(folder, { recursive: true, force: true })
})

describe('SqlLauncher on the embedded engine', () => {
  it('inserts the bound customer\'s batch only, under the query id it gives for the start record, recording nothing while it runs', async () => {
    const context = recordingContext()
    const request = requestFor(ADVERSARIAL)
    const launcher = new SqlLauncher(() => warehouse)
    const queryId = insertQueryId(request)
    expect(queryId).toMatch(/^bf-[0-9a-f]{12}-a1-5f0c2a7e$/)
    expect(await launcher.identify(request)).toEqual({ queryId, deduplicationToken: insertDeduplicationToken(request) })

    const outcome = await launcher.run(request, context)
    // The embedded engine reports no rows written: the rows are counted below instead.
    expect(outcome).toEqual({ ok: true, outputs: { queryId, deduplicationToken: insertDeduplicationToken(request), writtenRows: null } })
    expect(context.records).toEqual([])
    expect(await value('SELECT count() AS v FROM conversation_with_labels')).toBe(PER_DAY)
    expect(await labelsOf(ADVERSARIAL)).toBe(PER_DAY)
    const outside = await value(
      "SELECT count() AS v FROM conversation_with_labels WHERE conversation_end_time < '2026-01-02 00:00:00' OR conversation_end_time >= '2026-01-03 00:00:00'",
    )
    expect(outside).toBe(0)
    expect(await value("SELECT count() AS v FROM conversation_with_labels WHERE label != 'local'")).toBe(0)
  })

  it('accepts a warehouse given asynchronously', async () => {
    const outcome = await new SqlLauncher(async () => warehouse).run(requestFor('acme'), recordingContext())
    expect(outcome).toMatchObject({ ok: true })
    expect(await labelsOf('acme')).toBe(PER_DAY)
  })

  it('adopts a query that finished before bf restarted, without running it again', async () => {
    const request = requestFor('alaska-air')
    const scripted = withQueryStatuses(['running', 'running', 'finished'])
    const context = recordingContext()
    const outcome = await new SqlLauncher(() => scripted, { pollMs: 10 }).run(request, context, { queryId: insertQueryId(request) })

    expect(outcome).toMatchObject({ ok: true, outputs: { queryId: insertQueryId(request), writtenRows: null } })
    expect(scripted.inserts).toBe(0)
    expect(scripted.lookups).toEqual(Array(3).fill(insertQueryId(request)))
    expect(context.notes.join('\n')).toContain('still running on the server; waiting')
    expect(await labelsOf('alaska-air')).toBe(0)
  })

  it('looks up a resumed attempt by its query id when its start is all the state holds, without running it again', async () => {
    const request = requestFor('alaska-air')
    const scripted = withQueryStatuses(['finished'])
    // bf stopped after recording the attempt's start, before its query id's record was written.
    const outcome = await new SqlLauncher(() => scripted).run(request, recordingContext(), {})

    expect(outcome).toMatchObject({ ok: true, outputs: { queryId: insertQueryId(request), writtenRows: null } })
    expect(scripted.lookups).toEqual([insertQueryId(request)])
    expect(scripted.inserts).toBe(0)
    expect(await labelsOf('alaska-air')).toBe(0)
  })

  it('sends an attempt the server does not know again under the same id and token: its rows are written once', async () => {
    const request = requestFor('alaska-air', { attempt: 2 })
    const launcher = new SqlLauncher(() => warehouse)
    const first = await launcher.run(request, recordingContext())
    const again = await launcher.run(request, recordingContext(), first.outputs)

    expect(again).toMatchObject({ ok: true, outputs: { queryId: first.outputs.queryId, deduplicationToken: first.outputs.deduplicationToken } })
    expect(await labelsOf('alaska-air')).toBe(PER_DAY)
    const nextAttempt = await launcher.run({ ...request, attempt: 3 }, recordingContext())
    expect(nextAttempt).toMatchObject({ ok: true })
    expect(await labelsOf('alaska-air')).toBe(2 * PER_DAY)
  })

  it('fails with the server\'s error naming the query', async () => {
    const request = requestFor('acme', { job: jobOf({ sql: 'INSERT INTO no_such_table SELECT 1' }) })
    const outcome = await new SqlLauncher(() => warehouse).run(request, recordingContext())
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toContain(insertQueryId(request))
    expect(outcome.error).toMatch(/no_such_table/)
  })

  it('fails the attempt at its timeout, and when bf is interrupted', async () => {
    const slow = `INSERT INTO conversation_with_labels
      SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'slow', ended_at
      FROM conversation_d WHERE customer_id = {customer:String} AND sleepEachRow(0.01) = 0
      SETTINGS max_block_size = 10`
    const launcher = new SqlLauncher(() => warehouse)
    const timedOut = await launcher.run(requestFor('acme', { job: jobOf({ sql: slow, timeoutMs: 200 }) }), recordingContext())
    expect(timedOut).toMatchObject({ ok: false, error: 'timed out after 200ms' })

    const controller = new AbortController()
    const context = recordingContext()
    const running = launcher.run(requestFor('acme', { attempt: 2, job: jobOf({ sql: slow }), signal: controller.signal }), context)
    // Interrupted once the INSERT is on its way, not before it is sent.
    await waitFor(() => context.notes.some((note) => note.startsWith('INSERT ')), { what: () => `the INSERT to be sent; notes: ${context.notes.join(' | ')}` })
    controller.abort()
    const interrupted = await running
    expect(interrupted).toMatchObject({ ok: false, error: 'interrupted' })
  })

  it('preflight accepts one INSERT using bf\'s parameters, and names what else it finds', async () => {
    const launcher = new SqlLauncher(() => warehouse)
    expect(await launcher.preflight(cluster, jobOf())).toEqual([])
    expect(await launcher.preflight(cluster, jobOf({ sql: "/* note */ insert into t SELECT '{x:String}'" }))).toEqual([])
    expect(await launcher.preflight(cluster, jobOf({ sql: 'ALTER TABLE t DELETE WHERE 1' }))).toMatchObject([{ severity: 'error', code: 'sql-not-insert' }])
    expect(await launcher.preflight(cluster, jobOf({ sql: 'INSERT INTO t SELECT {day:Date}' }))).toEqual([
      {
        severity: 'error',
        code: 'sql-unknown-parameter',
        message: 'job.sql uses {day:…}; bf binds only {customer:String}, {start:DateTime}, {end:DateTime} and {cluster:String}',
      },
    ])
    expect(await launcher.preflight(cluster, jobOf({ sql: '  ' }))).toMatchObject([{ severity: 'error', code: 'sql-missing' }])
  })

  it('describes the statement and the values bound to it', async () => {
    const { signal: _signal, logDir: _logDir, ...request } = requestFor(ADVERSARIAL)
    const text = await new SqlLauncher(() => warehouse).describe(request)
    expect(text.split('\n').slice(-4)).toEqual([
      "-- customer = 'a\\' OR \\'1\\'=\\'1'",
      '-- start    = 2026-01-02T00:00:00Z (1767312000)',
      '-- end      = 2026-01-03T00:00:00Z (1767398400)',
      "-- cluster  = 'local'",
    ])
    expect(text).toContain('-- re-label one customer and day\n  INSERT INTO conversation_with_labels')
  })
})
