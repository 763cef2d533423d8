// Holds an embedded-engine data folder open, as another bf would, until RELEASE_FILE exists.
// Usage: node chdb-holder.mjs DATA_DIR RELEASE_FILE — prints "ready" once the folder is held.
import { existsSync } from 'node:fs'
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

const [dir, release] = process.argv.slice(2)
const client = createClient({ connection: createChdbConnection({ path: dir }) })
await client.query({ query: 'SELECT 1', format: 'JSONEachRow' })
process.stdout.write('ready\n')
const deadline = Date.now() + 60_000
while (!existsSync(release) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
await client.close()
