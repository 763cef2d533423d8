import { mkdir, rm } from 'node:fs/promises'
import { createWarehouseClient } from '../warehouse/client-factory.js'
import { sqlRunnerFromClient } from './client-runner.js'
import type { QuickstartData } from './generate.js'
import { generateQuickstartData } from './generate.js'
import type { QuickstartOptions } from './options.js'
import { defaultQuickstartOptions } from './options.js'
import { createQuickstartTables } from './schema.js'

/**
 * Makes a fresh embedded-engine data folder at `dataDir` (removing any old one) holding
 * the quickstart tables and data, and closes it. The embedded engine opens one data
 * folder per process: call this in a process that opens no other.
 */
export async function prepareQuickstart(dataDir: string, options: QuickstartOptions = defaultQuickstartOptions): Promise<QuickstartData> {
  await rm(dataDir, { recursive: true, force: true })
  await mkdir(dataDir, { recursive: true })
  const { client } = await createWarehouseClient({ name: 'quickstart', clickhouse: { embedded: dataDir, settings: {} }, customers: [] })
  try {
    const runner = sqlRunnerFromClient(client)
    await createQuickstartTables(runner)
    return await generateQuickstartData(runner, options)
  } finally {
    await client.close()
  }
}
