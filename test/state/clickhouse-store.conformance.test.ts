import path from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll } from 'vitest'
import { embeddedClient } from '../support/embedded-client.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import type { ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { openState, stateSpec } from './clickhouse-state.js'
import { describeStateStoreConformance } from './conformance.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()
let dataPath: string
let engine: ClickHouseClient
let http: ClickHouseHttpServer

beforeAll(async () => {
  dataPath = path.join(await tempDir(), 'data')
  // Held for the whole file: the engine (one per process) then starts once.
  engine = embeddedClient(dataPath)
  http = await startClickHouseHttpServer({ dataPath })
})
afterAll(async () => {
  await http?.close()
  await engine?.close()
})

// Every test is a plan of its own in one shared table, as a team's plans are.
describeStateStoreConformance('ClickHouseStateStore on the embedded engine', async () => {
  const spec = stateSpec({ embedded: dataPath })
  return { open: async () => openState(spec, {}, { foldAtEvents: 0 }) }
})

describeStateStoreConformance('ClickHouseStateStore over HTTP', async () => {
  const spec = stateSpec({ url: http.url }, { database: 'bf_http' })
  return { open: async () => openState(spec, {}, { foldAtEvents: 0 }) }
})
