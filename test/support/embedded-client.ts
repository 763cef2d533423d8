import { createClient } from '@clickhouse/client'
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>

/** A client of the test's own on the embedded engine at `path` (one data folder per process). */
export function embeddedClient(path: string): ClickHouseClient {
  // chdb types its connection against its own copy of the client's types; the shapes are the same.
  return createClient({ connection: createChdbConnection({ path }) as unknown as Connection })
}
