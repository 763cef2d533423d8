import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import type { ClickHouseHttpServer } from '../support/clickhouse-http-server.js'

let dir: string
let server: ClickHouseHttpServer
let client: ClickHouseClient

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bf-ch-http-'))
  server = await startClickHouseHttpServer({ dataPath: join(dir, 'data') })
  client = createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF }, use_multipart_params_auto: true })
})
afterAll(async () => {
  await client?.close()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the ClickHouse HTTP test server, as @clickhouse/client sees it', () => {
  it('answers pings', async () => {
    expect(await client.ping()).toEqual({ success: true })
    expect(await client.ping({ select: true })).toEqual({ success: true })
  })

  it('binds parameters of every shape bf sends, in the URL or as multipart', async () => {
    const awkward = "o'brien \\ tab\there\nnewline"
    const many = Array.from({ length: 600 }, (_, i) => `customer-${i}-${'x'.repeat(8)}`)
    for (const ids of [['a', awkward], many]) {
      const result = await client.query({
        query: 'SELECT {s:String} AS s, {ids:Array(String)} AS ids, {n:Array(Int64)} AS n, {t:DateTime} AS t',
        query_params: { s: awkward, ids, n: [1767225600, -1], t: 1767225600 },
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      })
      expect(await result.json()).toEqual([{ s: awkward, ids, n: [1767225600, -1], t: '2026-01-01 00:00:00' }])
    }
    expect(server.served.at(-1)?.params.ids).toMatch(/^\['customer-0-/)
  })

  it('keeps settings to their query and echoes the query id', async () => {
    const first = await client.query({ query: "SELECT getSetting('max_threads') AS v", format: 'JSONEachRow', clickhouse_settings: { max_threads: 3 }, query_id: 'bf-q1' })
    expect(first.query_id).toBe('bf-q1')
    expect(await first.json()).toEqual([{ v: 3 }])
    const second = await client.query({ query: "SELECT getSetting('max_threads') = 3 AS leaked", format: 'JSONCompactEachRow' })
    expect(await second.json()).toEqual([[0]])
  })

  it('reports the rows an INSERT wrote, and fails the way ClickHouse does', async () => {
    await client.command({ query: 'CREATE TABLE t (a UInt32) ENGINE = MergeTree ORDER BY a' })
    const insert = await client.command({ query: 'INSERT INTO t SELECT number FROM numbers(7)', clickhouse_settings: { wait_end_of_query: 1 } })
    expect(insert.summary?.written_rows).toBe('7')
    await expect(client.query({ query: 'SELECT * FROM missing_table' })).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' })
    await expect(client.command({ query: 'SELEC 1' })).rejects.toMatchObject({ code: '62', type: 'SYNTAX_ERROR' })
  })

  it('refuses wrong credentials once it requires some', async () => {
    server.credentials = { username: 'bf', password: 'right' }
    try {
      const wrong = createClient({ url: server.url, username: 'bf', password: 'wrong', log: { level: ClickHouseLogLevel.OFF } })
      await expect(wrong.query({ query: 'SELECT 1' })).rejects.toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' })
      await wrong.close()
      const right = createClient({ url: server.url, username: 'bf', password: 'right', log: { level: ClickHouseLogLevel.OFF } })
      expect(await (await right.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([{ one: 1 }])
      await right.close()
    } finally {
      server.credentials = undefined
    }
  })
})
