// Child process: the ClickHouse HTTP test server (test/support, compiled) over an
// embedded-engine data folder, in a process of its own as a team's state cluster is.
// Prints {"url": …} once listening; stops on SIGTERM.
// Usage: node bench/state-load/server.js COMPILED_SUPPORT_DIR DATA_DIR
import { join } from 'node:path'

const [supportDir, dataPath] = process.argv.slice(2)
const { startClickHouseHttpServer } = await import(join(supportDir, 'clickhouse-http-server.js'))
const server = await startClickHouseHttpServer({ dataPath })
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0))
})
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
