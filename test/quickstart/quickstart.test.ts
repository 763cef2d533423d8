import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient } from '@clickhouse/client'
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createQuickstartTables,
  defaultQuickstartOptions,
  generateQuickstartData,
  prepareQuickstart,
  quickstartDefaults,
  sqlRunnerFromClient,
} from '../../src/quickstart/index.js'
import type { QuickstartOptions } from '../../src/quickstart/index.js'
import { SqlLauncher } from '../../src/launchers/sql.js'
import { loadPlan } from '../../src/plan/load.js'
import type { ClusterSpec } from '../../src/plan/model.js'

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>

const SMALL: QuickstartOptions = { customers: 2, days: 3, conversationsPerDay: 500, seed: 7 }

let folder: string
let client: ClickHouseClient

async function rows<T>(sql: string): Promise<T[]> {
  const result = await client.query({ query: sql, format: 'JSONEachRow' })
  return result.json<T>()
}

async function value(sql: string): Promise<number> {
  const [row] = await rows<{ v: number | string }>(`SELECT ${sql} AS v`)
  return Number(row?.v)
}

/** A fingerprint of both tables' contents. */
async function contentHash(): Promise<string> {
  const [row] = await rows<{ d: string; l: string }>(`
    SELECT
      (SELECT toString(groupBitXor(cityHash64(conversation_id, customer_id, profile_id, agent_user_id, ended_at))) FROM conversation_d) AS d,
      (SELECT toString(groupBitXor(cityHash64(conversation_id, agent_user_id, conversation_end_time, label))) FROM conversation_with_labels) AS l`)
  return `${row?.d}/${row?.l}`
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bf-quickstart-'))
  const data = await prepareQuickstart(join(folder, 'data'), SMALL)
  expect(data).toEqual({ customers: ['alaska-air', 'acme'], start: '2026-01-01T00:00:00.000Z', end: '2026-01-04T00:00:00.000Z', conversations: 3_000 })
  const { createChdbConnection } = await import('chdb/connection')
  client = createClient({ connection: createChdbConnection({ path: join(folder, 'data') }) as unknown as Connection })
})

afterAll(async () => {
  await client?.close()
  await rm(folder, { recursive: true, force: true })
})

describe('quickstart data', () => {
  it('holds perDay conversations per customer and day, each once, inside the window', async () => {
    const perUnit = await rows<{ customer_id: string; day: string; n: number; keys: number }>(`
      SELECT customer_id, toString(toDate(ended_at, 'UTC')) AS day, count() AS n, uniqExact(conversation_id) AS keys
      FROM conversation_d GROUP BY customer_id, day ORDER BY customer_id, day`)
    expect(perUnit.map((row) => `${row.customer_id} ${row.day} ${row.n} ${row.keys}`)).toEqual([
      'acme 2026-01-01 500 500',
      'acme 2026-01-02 500 500',
      'acme 2026-01-03 500 500',
      'alaska-air 2026-01-01 500 500',
      'alaska-air 2026-01-02 500 500',
      'alaska-air 2026-01-03 500 500',
    ])
    expect(await value('(SELECT uniqExact(conversation_id) FROM conversation_d)')).toBe(3_000)
    expect(await value('(SELECT uniqExact(agent_user_id) FROM conversation_d)')).toBeGreaterThan(40)
  })

  it('labels every conversation as it is now', async () => {
    const current = await value(`(
      SELECT count() FROM conversation_d AS d
      INNER JOIN conversation_with_labels AS l
        ON l.conversation_id = d.conversation_id AND l.agent_user_id = d.agent_user_id AND l.conversation_end_time = d.ended_at)`)
    expect(current).toBe(3_000)
  })

  it('holds stale labels for about 10% of conversations: duplicates FINAL does not remove', async () => {
    await client.command({ query: 'OPTIMIZE TABLE conversation_with_labels FINAL' })
    const duplicates = await value('(SELECT count() - uniqExact(conversation_id) FROM conversation_with_labels FINAL)')
    expect(duplicates).toBeGreaterThan(3_000 * 0.07)
    expect(duplicates).toBeLessThan(3_000 * 0.13)
    // A stale row stays in its conversation's customer and day: the duplicates are per unit.
    const perUnit = await value(`(
      SELECT sum(n - keys) FROM (
        SELECT count() AS n, uniqExact(conversation_id) AS keys
        FROM conversation_with_labels FINAL GROUP BY customer_id, toDate(conversation_end_time, 'UTC')))`)
    expect(perUnit).toBe(duplicates)
    const staleKeys = await value(`(
      SELECT count() FROM (
        SELECT conversation_id FROM conversation_with_labels FINAL GROUP BY conversation_id
        HAVING uniqExact(agent_user_id, toStartOfHour(conversation_end_time)) = 2))`)
    expect(staleKeys).toBe(duplicates)
  })

  it('makes the same rows from the same seed, other rows from another', async () => {
    const runner = sqlRunnerFromClient(client)
    await createQuickstartTables(runner)
    await generateQuickstartData(runner, SMALL)
    const first = await contentHash()
    await createQuickstartTables(runner)
    await generateQuickstartData(runner, SMALL)
    expect(await contentHash()).toBe(first)
    await createQuickstartTables(runner)
    await generateQuickstartData(runner, { ...SMALL, seed: 8 })
    expect(await contentHash()).not.toBe(first)
    // The other tests of this file read the data set: leave it as the first seed made it.
    await createQuickstartTables(runner)
    await generateQuickstartData(runner, SMALL)
    expect(await contentHash()).toBe(first)
  })

  it('refuses a start that is not a UTC midnight', async () => {
    await expect(generateQuickstartData(sqlRunnerFromClient(client), { ...SMALL, start: '2026-01-01T06:00:00Z' })).rejects.toThrow(/UTC midnight/)
  })
})

describe('examples/quickstart/plan.yaml', () => {
  it('is a valid plan covering exactly the default quickstart data', async () => {
    const { spec, warnings } = await loadPlan('examples/quickstart/plan.yaml')
    expect(warnings).toEqual([])
    expect(spec.window).toEqual({ start: Date.parse(quickstartDefaults.start), end: Date.parse(quickstartDefaults.start) + quickstartDefaults.days * 86_400_000 })
    expect(spec.batch.text).toBe('1d')
    expect(defaultQuickstartOptions).toMatchObject({ customers: quickstartDefaults.customers.length, days: quickstartDefaults.days, conversationsPerDay: quickstartDefaults.perDay })
    expect(spec.clusters).toHaveLength(1)
    expect(spec.clusters[0]?.clickhouse.embedded).toBe(resolve('examples/quickstart/data'))
    expect(spec.clusters[0]?.customers.map((customer) => customer.id)).toEqual([...quickstartDefaults.customers])
    expect(spec.rollout.canary).toEqual([quickstartDefaults.customers[0]])
    expect(spec.expected?.table).toBe('conversation_d')
    expect(spec.target.table).toBe('conversation_with_labels')
    expect(spec.delete).toMatchObject({ mode: 'mutation', per: 'customer' })
    expect(spec.verify).toMatchObject({ duplicates: true, ratio: { min: 0.99, max: 1.01 } })
    expect(spec.job).toMatchObject({ kind: 'sql', concurrency: 2 })
    const sqlLauncher = new SqlLauncher(() => {
      throw new Error('preflight reads no warehouse')
    })
    expect(await sqlLauncher.preflight(spec.clusters[0] as ClusterSpec, spec.job)).toEqual([])
  })
})
