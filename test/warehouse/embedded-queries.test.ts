import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { unitParams } from '../../src/warehouse/sql-values.js'
import { WarehouseError } from '../../src/warehouse/warehouse.js'
import { CREATE_EXPECTED, CREATE_TARGET, openEmbeddedFixture, rowsOf } from './embedded-fixture.js'
import type { EmbeddedFixture } from './embedded-fixture.js'
import { DAY, JAN_1 } from './fixtures.js'

let fx: EmbeddedFixture

const BACKFILL = `INSERT INTO analytics.conversation_with_labels
  SELECT conversation_id, customer_id, profile_id, 'agent', ended_at, {cluster:String}
  FROM analytics.conversations
  WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}`

beforeAll(async () => {
  fx = await openEmbeddedFixture()
  await fx.sql.command({ query: 'CREATE DATABASE analytics' })
  await fx.sql.command({ query: CREATE_TARGET })
  await fx.sql.command({ query: CREATE_EXPECTED })
  await fx.sql.command({
    query: `INSERT INTO analytics.conversations
      SELECT concat('conv-', toString(number)), if(number % 2 = 0, 'even', 'odd'), 'p', toDateTime({from:UInt32}) + number * 1800
      FROM numbers(200)`,
    query_params: { from: JAN_1 / 1000 },
  })
})

// The source table is only read; the target starts empty in each test, whatever others wrote to it.
beforeEach(async () => {
  await fx.sql.command({ query: 'TRUNCATE TABLE analytics.conversation_with_labels' })
})

afterAll(async () => {
  await fx?.close()
})

describe('queries on the embedded engine', () => {
  it('pings and reads the server clock in epoch ms', async () => {
    await fx.warehouse.ping()
    const now = await fx.warehouse.serverTime()
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000)
  })

  it('runs an INSERT … SELECT with bound unit parameters, reporting no rows written rather than a wrong count', async () => {
    const params = unitParams({ customer: 'even', window: { start: JAN_1, end: JAN_1 + DAY }, cluster: 'local' })
    expect(params).toEqual({ customer: 'even', start: 1767225600, end: 1767312000, cluster: 'local' })
    const result = await fx.warehouse.insert(BACKFILL, params, { queryId: 'bf-test-insert-1', deduplicationToken: 'unit-1-attempt-1' })
    expect(result).toEqual({ writtenRows: null })
    // 48 half-hours in the day, every other one is 'even'.
    const rows = await rowsOf<{ n: number; label: string }>(fx.sql, "SELECT count() AS n, any(label) AS label FROM analytics.conversation_with_labels WHERE customer_id = 'even'")
    expect(rows[0]).toEqual({ n: 24, label: 'local' })
  })

  it('runs an INSERT whatever ends its text, and resets its settings after it', async () => {
    const day2 = unitParams({ customer: 'even', window: { start: JAN_1 + DAY, end: JAN_1 + 2 * DAY }, cluster: 'local' })
    const endings = [';', '\n-- the day for one customer\n', ' -- no newline after this comment', '; -- a last comment']
    for (const [index, ending] of endings.entries()) {
      await fx.warehouse.insert(`${BACKFILL}${ending}`, { ...day2, cluster: `ending-${index}` }, { queryId: `bf-test-ending-${index}`, deduplicationToken: `ending-${index}` })
      expect(await fx.warehouse.scalar("SELECT getSetting('insert_deduplication_token')", {})).toBe('')
    }
    const rows = await rowsOf<{ label: string; n: number }>(fx.sql, "SELECT label, count() AS n FROM analytics.conversation_with_labels WHERE label LIKE 'ending-%' GROUP BY label ORDER BY label")
    expect(rows).toEqual(endings.map((_, index) => ({ label: `ending-${index}`, n: 24 })))

    await fx.warehouse.insert("INSERT INTO analytics.conversation_with_labels VALUES ('v-1', 'values', 'p', 'agent', now(), 'v'), ('v-2', 'values', 'p', 'agent', now(), 'v')", {}, { queryId: 'bf-test-values', deduplicationToken: 'values-1' })
    expect(await rowsOf<{ n: number }>(fx.sql, "SELECT count() AS n FROM analytics.conversation_with_labels WHERE customer_id = 'values'")).toEqual([{ n: 2 }])
    expect(await fx.warehouse.scalar("SELECT getSetting('insert_deduplication_token')", {})).toBe('')
  })

  it('resets the settings of an INSERT that failed', async () => {
    const failing = 'INSERT INTO analytics.conversation_with_labels SELECT conversation_id, customer_id, profile_id, \'agent\', ended_at, toString(throwIf(1)) FROM analytics.conversations WHERE customer_id = {customer:String}'
    const error = await fx.warehouse.insert(failing, { customer: 'odd' }, { queryId: 'bf-test-failing', deduplicationToken: 'failing-1' }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(WarehouseError)
    expect(await fx.warehouse.scalar("SELECT getSetting('insert_deduplication_token')", {})).toBe('')
  })

  it("keeps a statement's own settings out of later statements of the session", async () => {
    const mutationsSync = await fx.warehouse.scalar("SELECT getSetting('mutations_sync')", {})
    await fx.warehouse.submitDelete({
      target: { database: 'analytics', table: 'conversation_with_labels', readTable: 'conversation_with_labels', timeColumn: 'conversation_end_time', customerColumn: 'customer_id', keyColumns: ['conversation_id'] },
      customer: 'nobody',
      ranges: [{ start: JAN_1, end: JAN_1 + DAY }],
      mode: 'mutation',
      settings: {},
      tag: 'bf:settings',
    })
    expect(await fx.warehouse.scalar("SELECT getSetting('mutations_sync')", {})).toBe(mutationsSync)

    await fx.warehouse.insert(BACKFILL, unitParams({ customer: 'odd', window: { start: JAN_1, end: JAN_1 + DAY }, cluster: 'local' }), {
      queryId: 'bf-test-insert-3',
      deduplicationToken: 'unit-3-attempt-1',
    })
    expect(await fx.warehouse.scalar("SELECT getSetting('insert_deduplication_token')", {})).toBe('')
  })

  it('has no query log: the status of a past query is unknown', async () => {
    expect(await fx.warehouse.queryStatus('bf-test-insert-1')).toBe('unknown')
  })

  it('returns the first value of a check query, with 64-bit integers as numbers', async () => {
    expect(await fx.warehouse.scalar('SELECT count() FROM analytics.conversations WHERE customer_id = {customer:String}', { customer: 'odd' })).toBe(100)
    expect(await fx.warehouse.scalar("SELECT 'x' WHERE 0", {})).toBeUndefined()
    expect(await fx.warehouse.scalar('SELECT {customer:String}', { customer: "a' OR '1'='1" })).toBe("a' OR '1'='1")
    expect(await fx.warehouse.scalar('SELECT toInt64(-5)', {})).toBe(-5)
    expect(await fx.warehouse.scalar('SELECT toNullable(toUInt64(3))', {})).toBe(3)
    expect(await fx.warehouse.scalar('SELECT CAST(NULL AS Nullable(UInt64))', {})).toBeNull()
    // A server that quotes 64-bit integers (the default of many versions) gives the same numbers;
    // past 2^53, where a number would not hold it exactly, the value stays the text it sent.
    const quoting = 'SETTINGS output_format_json_quote_64bit_integers = 1'
    expect(await fx.warehouse.scalar(`SELECT count() FROM analytics.conversations ${quoting}`, {})).toBe(200)
    expect(await fx.warehouse.scalar(`SELECT toUInt64(18446744073709551615) ${quoting}`, {})).toBe('18446744073709551615')
    expect(await fx.warehouse.scalar("SELECT '42'", {})).toBe('42')
  })

  it('resolves unqualified names in clickhouse.database, as the HTTP interface does', async () => {
    const inAnalytics = await openWarehouse({ name: 'local', clickhouse: { embedded: fx.path, database: 'analytics', settings: {} }, customers: [] })
    try {
      expect(await inAnalytics.scalar('SELECT count() FROM conversations', {})).toBe(200)
    } finally {
      await inAnalytics.close()
    }
  })

  it('names the cluster and the engine in errors', async () => {
    const error = await fx.warehouse.scalar('SELECT count() FROM analytics.nope', {}).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(WarehouseError)
    expect(error).toMatchObject({ cluster: 'local', code: 60, uncertain: false })
    expect((error as Error).message).toMatch(/^running a check failed on cluster local \(embedded .*\/data\): ClickHouse error 60 UNKNOWN_TABLE: /)
  })
})
