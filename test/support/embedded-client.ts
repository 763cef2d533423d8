import { createClient } from '@clickhouse/client'
import type { ClickHouseClient } from '@clickhouse/client'
import { loadChdb, openChdbConnection } from '../../src/warehouse/embedded-connection.js'
import type { ClientConnection } from '../../src/warehouse/embedded-connection.js'

const chdb = await loadChdb('test')

/** A connection of the test's own on the embedded engine at `path`, started as bf starts it (with its Keeper for KeeperMap). */
export function embeddedConnection(path: string): ClientConnection {
  return openChdbConnection(chdb, path, 'test')
}

/** A client of the test's own on the embedded engine at `path` (one data folder per process). */
export function embeddedClient(path: string): ClickHouseClient {
  return createClient({ connection: embeddedConnection(path) })
}
