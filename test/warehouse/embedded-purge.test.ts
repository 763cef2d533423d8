import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embeddedClient } from '../support/embedded-client.js'
import { waitFor } from '../support/wait-for.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { CREATE_EXPECTED, CREATE_TARGET, openEmbeddedFixture } from './embedded-fixture.js'
import type { EmbeddedFixture } from './embedded-fixture.js'
import { customer, dayGrid, expected, JAN_1, target } from './fixtures.js'

let fx: EmbeddedFixture
/** A plain session of the engine, without bf's connection around it: its reads purge nothing. */
let observer: ClickHouseClient

/** A counter of the engine's `system.events` (counted for the whole process). */
async function engineEvent(name: string): Promise<number> {
  const result = await observer.query({ query: 'SELECT value FROM system.events WHERE event = {name:String}', query_params: { name }, format: 'JSONCompactEachRow' })
  const rows = await result.json<[number | string]>()
  return Number(rows[0]?.[0] ?? 0)
}

beforeAll(async () => {
  fx = await openEmbeddedFixture()
  observer = embeddedClient(fx.path)
  await fx.sql.command({ query: 'CREATE DATABASE analytics' })
  await fx.sql.command({ query: CREATE_TARGET })
  await fx.sql.command({ query: CREATE_EXPECTED })
})

afterAll(async () => {
  await observer?.close()
  await fx?.close()
})

/** Resolves once the engine counts `event` at least `more` times above `before`. */
async function counted(event: string, before: number, more: number): Promise<void> {
  await waitFor(async () => (await engineEvent(event)) - before >= more, { what: `${more} more ${event}`, timeoutMs: 10_000, intervalMs: 25 })
}

/**
 * bf purges once the engine has been idle for 200 ms, and nothing outside it tells whether a
 * purge is still pending. A test that expects no purge (or no further one) lets this much
 * time pass first: the idle time and a margin. Under heavy load a late purge could slip past
 * it and the test would pass without seeing it; it can never fail because of the wait.
 */
const quiet = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 400))

/**
 * A read long enough to ask for a purge (a refresh of many units takes seconds): bf asks
 * after reads of 1 s or more, and two rows sleeping 0.51 s each are just past that.
 */
const LONG_READ = 'SELECT sum(number) FROM numbers({n:UInt32}) WHERE NOT sleepEachRow(0.51)'

describe('the embedded engine hands freed memory back', () => {
  it('once it is idle after a long read, and the reads keep their answers', async () => {
    const before = await engineEvent('MemoryAllocatorPurge')
    expect(await fx.warehouse.scalar(LONG_READ, { n: 2 })).toBe(1)
    for (let i = 0; i < 50; i++) expect(await fx.warehouse.scalar('SELECT sum(number) FROM numbers({n:UInt32})', { n: 1000 + i })).toBe(((999 + i) * (1000 + i)) / 2)
    await counted('MemoryAllocatorPurge', before, 1)
    await quiet()
    // One purge once the reads are over, not one per read: a busy engine keeps its memory.
    expect((await engineEvent('MemoryAllocatorPurge')) - before).toBe(1)
  })

  it('not after short reads, with pauses between them as an apply makes', async () => {
    const before = await engineEvent('MemoryAllocatorPurge')
    for (let i = 0; i < 3; i++) {
      expect(await fx.warehouse.scalar('SELECT sum(number) FROM numbers({n:UInt32})', { n: 1000 })).toBe(499_500)
      // A pause longer than the idle time before a purge.
      await quiet()
    }
    expect((await engineEvent('MemoryAllocatorPurge')) - before).toBe(0)
  })

  it('after reads sent together, each answered as if sent alone', async () => {
    const before = await engineEvent('MemoryAllocatorPurge')
    const refresh = { target, expected, customers: [customer('alaska-air', 0, 2)], grid: dayGrid }
    const [live, long, ...sums] = await Promise.all([
      fx.warehouse.refresh(refresh),
      fx.warehouse.scalar(LONG_READ, { n: 2 }),
      ...Array.from({ length: 20 }, (_, i) => fx.warehouse.scalar('SELECT {i:UInt32} * 2', { i })),
    ])
    expect(long).toBe(1)
    expect(sums).toEqual(Array.from({ length: 20 }, (_, i) => i * 2))
    expect(live!.unit('alaska-air', JAN_1)).toEqual({ rows: 0, keys: 0, expected: 0 })
    await counted('MemoryAllocatorPurge', before, 1)
    await quiet()
    expect((await engineEvent('MemoryAllocatorPurge')) - before).toBe(1)
  })

  it('not after inserts and commands', async () => {
    const before = await engineEvent('MemoryAllocatorPurge')
    await fx.sql.command({ query: 'CREATE TABLE analytics.scratch (n UInt64) ENGINE = MergeTree ORDER BY n' })
    await fx.sql.insert({ table: 'analytics.scratch', values: [{ n: 1 }], format: 'JSONEachRow' })
    await fx.sql.query({ query: 'INSERT INTO analytics.scratch SELECT number FROM numbers(10)' })
    const written = await fx.warehouse.insert('INSERT INTO analytics.scratch SELECT number FROM numbers({n:UInt32})', { n: 5 }, { queryId: 'bf-purge-insert', deduplicationToken: 'purge-1' })
    expect(written).toEqual({ writtenRows: null })
    await fx.sql.command({ query: 'DROP TABLE analytics.scratch' })
    await fx.warehouse.ping()
    await fx.sql.ping()
    await quiet()
    expect((await engineEvent('MemoryAllocatorPurge')) - before).toBe(0)
  })

  it('without failing a read when the engine refuses it, and stops asking', async () => {
    // `readonly = 2` allows settings but no SYSTEM statement: the purge fails with READONLY.
    const readonly = await openWarehouse({ name: 'readonly', clickhouse: { embedded: fx.path, settings: { readonly: 2 } }, customers: [] })
    try {
      const failedBefore = await engineEvent('FailedQuery')
      expect(await readonly.scalar(LONG_READ, { n: 2 })).toBe(1)
      for (let i = 0; i < 5; i++) expect(await readonly.scalar('SELECT {i:UInt32} + 1', { i })).toBe(i + 1)
      await counted('FailedQuery', failedBefore, 1)
      expect(await readonly.scalar(LONG_READ, { n: 2 })).toBe(1)
      const live = await readonly.refresh({ target, customers: [customer('alaska-air', 0, 1)], grid: dayGrid })
      expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 0, keys: 0 })
      await quiet()
      // The first purge failed, and no other was tried.
      expect((await engineEvent('FailedQuery')) - failedBefore).toBe(1)
    } finally {
      await readonly.close()
    }
    // bf's other connections still purge.
    const before = await engineEvent('MemoryAllocatorPurge')
    await fx.warehouse.scalar(LONG_READ, { n: 2 })
    await counted('MemoryAllocatorPurge', before, 1)
    await quiet()
    expect((await engineEvent('MemoryAllocatorPurge')) - before).toBe(1)
  })
})
