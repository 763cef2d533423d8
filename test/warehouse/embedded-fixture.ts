import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { createWarehouseClient } from '../../src/warehouse/client-factory.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import type { Warehouse } from '../../src/warehouse/warehouse.js'
import { embeddedCluster } from './fixtures.js'

export interface EmbeddedFixture {
  path: string
  /** A separate session on the same engine, for the test's own setup and checks. */
  sql: ClickHouseClient
  warehouse: Warehouse
  close(): Promise<void>
}

/** One data folder per test file: the engine binds one per process. */
export async function openEmbeddedFixture(): Promise<EmbeddedFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'bf-warehouse-'))
  const path = join(dir, 'data')
  const warehouse = await openWarehouse(embeddedCluster(path))
  const { client: sql } = await createWarehouseClient(embeddedCluster(path))
  return {
    path,
    sql,
    warehouse,
    async close() {
      await warehouse.close()
      await sql.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function rowsOf<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<T>()
}

/** The seed's table: a ReplacingMergeTree whose ORDER BY holds mutable columns. */
export const CREATE_TARGET = `
CREATE TABLE analytics.conversation_with_labels (
  conversation_id String,
  customer_id String,
  profile_id String,
  agent_user_id String,
  conversation_end_time DateTime,
  label String
) ENGINE = ReplacingMergeTree
ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)`

export const CREATE_EXPECTED = `
CREATE TABLE analytics.conversations (
  conversation_id String,
  customer_id String,
  profile_id String,
  ended_at DateTime
) ENGINE = MergeTree
ORDER BY (customer_id, ended_at)`
