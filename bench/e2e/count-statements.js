// Preloaded with `node --import` into a bench process: counts every call that process makes
// to the embedded engine's connection (a query, a command, an exec, an insert, a ping: one
// statement each, as a server would log them) and writes the count as JSON on exit to the
// file named by BF_BENCH_STATEMENTS. bf and the runbook's script are counted the same way.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { ChdbConnection } = require('chdb/connection')
const file = process.env.BF_BENCH_STATEMENTS
let statements = 0

for (const name of ['query', 'command', 'exec', 'insert', 'ping']) {
  const call = ChdbConnection.prototype[name]
  ChdbConnection.prototype[name] = function counted(...args) {
    statements++
    return call.apply(this, args)
  }
}
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify({ statements })))
