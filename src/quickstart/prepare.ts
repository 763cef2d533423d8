import { mkdir, rm } from 'node:fs/promises'
import { createClient } from '@clickhouse/client'
import type { ClickHouseClientConfigOptions } from '@clickhouse/client'
import { sqlRunnerFromClient } from './client-runner.js'
import type { QuickstartData } from './generate.js'
import { generateQuickstartData } from './generate.js'
import type { QuickstartOptions } from './options.js'
import { defaultQuickstartOptions } from './options.js'
import { createQuickstartTables } from './schema.js'

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>

/** The embedded engine on `path`; loaded only when asked for, since it is an optional dependency. */
async function openEmbedded(path: string): Promise<Connection> {
  const chdb = await import('chdb/connection')
  // chdb types its connection against its own copy of the client's types; the shapes are the same.
  return chdb.createChdbConnection({ path }) as unknown as Connection
}

/**
 * Makes a fresh embedded-engine data folder at `dataDir` (removing any old one) holding
 * the quickstart tables and data, and closes it. The embedded engine opens one data
 * folder per process: call this in a process that opens no other.
 */
export async function prepareQuickstart(dataDir: string, options: QuickstartOptions = defaultQuickstartOptions): Promise<QuickstartData> {
  await rm(dataDir, { recursive: true, force: true })
  await mkdir(dataDir, { recursive: true })
  const client = createClient({ connection: await openEmbedded(dataDir) })
  try {
    const runner = sqlRunnerFromClient(client)
    await createQuickstartTables(runner)
    return await generateQuickstartData(runner, options)
  } finally {
    await client.close()
  }
}
