// Child process: the backfill as the runbook has a person run it, through
// @clickhouse/client, with no plan, no state and no checks of its own:
//   1. the stale rows go first ("run a DELETE for each customer's data before re-running
//      the cron"): per customer one `ALTER TABLE … DELETE` over its window, then
//      `system.mutations` polled every POLL_MS until no mutation of the table is left;
//   2. customer after customer (the canary first): the job's `INSERT … SELECT` once per
//      day, `concurrency` at a time, then the customer's verification over its window:
//      rows and keys in the target (FINAL), keys in the source, and the duplicates query
//      (keys seen more than once, FINAL).
// Usage: node bench/e2e/plain.js DATA_DIR RUNBOOK_JSON POLL_MS
import { readFile } from 'node:fs/promises'
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { secondsSince } from '../lib/stats.js'

const [dataDir, runbookFile, pollText] = process.argv.slice(2)
const pollMs = Number(pollText)
const { target, expected, customers, stepMs, jobSql, concurrency } = JSON.parse(await readFile(runbookFile, 'utf8'))
const client = createClient({ connection: createChdbConnection({ path: dataDir }) })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const spent = { delete: 0, wait: 0, insert: 0, verify: 0 }
const seconds = (ms) => Math.floor(ms / 1000)
const quote = (name) => `\`${name}\``
const table = (database, name) => `${quote(database)}.${quote(name)}`

async function timed(what, work) {
  const started = process.hrtime.bigint()
  try {
    return await work()
  } finally {
    spent[what] += secondsSince(started)
  }
}

async function rows(sql, params) {
  const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })
  return result.json()
}

/** `customer = {customer} AND time in [start, end)` on a table's own columns. */
function inWindow(source) {
  return `${quote(source.customerColumn)} = {customer:String} AND ${quote(source.timeColumn)} >= {start:DateTime} AND ${quote(source.timeColumn)} < {end:DateTime}`
}

async function deleteAndWait(params) {
  await timed('delete', () => client.command({ query: `ALTER TABLE ${table(target.database, target.table)} DELETE WHERE ${inWindow(target)}`, query_params: params }))
  await timed('wait', async () => {
    for (;;) {
      const [row] = await rows('SELECT count() AS pending FROM system.mutations WHERE database = {database:String} AND table = {table:String} AND is_done = 0', {
        database: target.database,
        table: target.table,
      })
      if (Number(row.pending) === 0) return
      await sleep(pollMs)
    }
  })
}

async function runDays(customer) {
  const days = []
  for (let start = customer.start; start < customer.end; start += stepMs) days.push({ start, end: Math.min(start + stepMs, customer.end) })
  let next = 0
  const worker = async () => {
    while (next < days.length) {
      const day = days[next++]
      const params = { customer: customer.id, start: seconds(day.start), end: seconds(day.end) }
      await timed('insert', () => client.command({ query: jobSql, query_params: params }))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

async function verify(params) {
  const keys = (source) => source.keyColumns.map(quote).join(', ')
  const readTable = table(target.database, target.readTable)
  await timed('verify', async () => {
    await rows(`SELECT count() AS rows, uniqExact(${keys(target)}) AS keys FROM ${readTable} FINAL WHERE ${inWindow(target)}`, params)
    await rows(`SELECT uniqExact(${keys(expected)}) AS keys FROM ${table(expected.database, expected.table)} WHERE ${inWindow(expected)}`, params)
    await rows(`SELECT ${keys(target)}, count() AS cnt FROM ${readTable} FINAL WHERE ${inWindow(target)} GROUP BY ${keys(target)} HAVING cnt > 1`, params)
  })
}

const started = process.hrtime.bigint()
try {
  const windowOf = (customer) => ({ customer: customer.id, start: seconds(customer.start), end: seconds(customer.end) })
  for (const customer of customers) await deleteAndWait(windowOf(customer))
  for (const customer of customers) {
    await runDays(customer)
    await verify(windowOf(customer))
  }
} finally {
  await client.close()
}
process.stdout.write(`${JSON.stringify({ seconds: secondsSince(started), customers: customers.length, spent })}\n`)
