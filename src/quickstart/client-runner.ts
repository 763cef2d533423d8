import type { ClickHouseClient } from '@clickhouse/client'
import type { SqlParams, SqlRunner } from './sql-runner.js'

/** A `SqlRunner` over an `@clickhouse/client` client (a server or the embedded engine). */
export function sqlRunnerFromClient(client: ClickHouseClient): SqlRunner {
  return {
    async command(sql: string, params: SqlParams = {}): Promise<void> {
      await client.command({ query: sql, query_params: params })
    },
  }
}
