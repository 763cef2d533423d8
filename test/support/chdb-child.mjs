// Runs SQL on an embedded-engine data folder in a process of its own (the engine binds
// one data folder per process) and prints each query's rows as one JSON line.
// Usage: node chdb-child.mjs DATA_DIR '["SELECT …", …]'
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

const [dir, statements] = process.argv.slice(2)
const client = createClient({ connection: createChdbConnection({ path: dir }) })
try {
  for (const query of JSON.parse(statements)) {
    if (/^\s*(SELECT|WITH)\b/i.test(query)) {
      const result = await client.query({ query, format: 'JSONEachRow' })
      process.stdout.write(`${JSON.stringify(await result.json())}\n`)
    } else {
      await client.command({ query })
      process.stdout.write('null\n')
    }
  }
} finally {
  await client.close()
}
