// Child process: the backfill as a plain script runs it through @clickhouse/client, with
// no plan, no state and no checks of its own, sending bf's statements in bf's order:
//   1. each canary customer: DELETE, poll system.mutations until done, its INSERTs
//      `concurrency` at a time, each followed by the unit's count queries;
//   2. every other customer's DELETE, one after another (the rollout gate opens them
//      together), then their INSERTs `concurrency` at a time, each once its customer's
//      mutation is done, each followed by the unit's count queries.
// Usage: node bench/e2e/plain.js DATA_DIR STATEMENTS_JSON POLL_MS
import { readFile } from 'node:fs/promises'
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { secondsSince } from '../lib/stats.js'

const [dataDir, statementsFile, pollText] = process.argv.slice(2)
const pollMs = Number(pollText)
const { canaries, deletes, units, concurrency } = JSON.parse(await readFile(statementsFile, 'utf8'))
const client = createClient({ connection: createChdbConnection({ path: dataDir }) })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const spent = { delete: 0, wait: 0, insert: 0, verify: 0 }

async function timed(what, work) {
  const started = process.hrtime.bigint()
  try {
    return await work()
  } finally {
    spent[what] += secondsSince(started)
  }
}

async function rows(query) {
  const result = await client.query({ query: query.sql, query_params: query.params, format: 'JSONEachRow' })
  return result.json()
}

/** A verify's count query, read as bf reads it: compact rows. */
async function counts(query) {
  const result = await client.query({ query: query.sql, query_params: query.params, format: 'JSONCompactEachRow' })
  return result.text()
}

const mutations = new Map()
function mutationDone(customer) {
  let done = mutations.get(customer)
  if (!done) {
    const tag = deletes.find((remove) => remove.customer === customer).tag
    done = timed('wait', async () => {
      for (;;) {
        const [row] = await rows({
          sql: 'SELECT min(is_done) AS done, count() AS found FROM system.mutations WHERE position(command, {tag:String}) > 0',
          params: { tag: `'${tag}'` },
        })
        if (Number(row.found) > 0 && Number(row.done) === 1) return
        await sleep(pollMs)
      }
    })
    mutations.set(customer, done)
  }
  return done
}

function submit(remove) {
  return timed('delete', () => client.command({ query: remove.sql, query_params: remove.params, clickhouse_settings: remove.settings }))
}

async function runUnits(list) {
  let next = 0
  const worker = async () => {
    while (next < list.length) {
      const unit = list[next++]
      await mutationDone(unit.customer)
      await timed('insert', () =>
        client.command({ query: unit.insert.sql, query_params: unit.insert.params, query_id: unit.insert.queryId, clickhouse_settings: unit.insert.settings }),
      )
      await timed('verify', async () => {
        for (const query of unit.verify) await counts(query)
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const started = process.hrtime.bigint()
const isCanary = (customer) => canaries.includes(customer)
try {
  for (const remove of deletes.filter((one) => isCanary(one.customer))) {
    await submit(remove)
    await runUnits(units.filter((unit) => unit.customer === remove.customer))
  }
  for (const remove of deletes.filter((one) => !isCanary(one.customer))) await submit(remove)
  await runUnits(units.filter((unit) => !isCanary(unit.customer)))
} finally {
  await client.close()
}
process.stdout.write(`${JSON.stringify({ seconds: secondsSince(started), deletes: deletes.length, inserts: units.length, spent })}\n`)
