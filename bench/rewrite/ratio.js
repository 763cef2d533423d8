// Child process: how often deletes rewrite the parts they touch, on the embedded engine.
// The quickstart's target is remade with one partition a day, so each part holds every
// customer of its day (its ORDER BY starts with the hour); then the plan's own delete
// statements run one after another, and a part counts as rewritten by a delete when its
// checksum changed (a mutation gives every part its version, but only those it rewrote get
// new contents). rewrite_ratio is the bytes rewritten ÷ the bytes of the parts touched.
// Usage: node bench/rewrite/ratio.js WORK_DIR CUSTOMERS DAYS PER_DAY PER
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeQuickstartPlan } from '../e2e/plan-file.js'
import { dist } from '../lib/paths.js'

const [work, customerCount, days, perDay, per] = process.argv.slice(2)
const { createQuickstartTables, generateQuickstartData, quickstartCustomerIds, sqlRunnerFromClient } = await dist('quickstart/index.js')
const { loadPlan } = await dist('plan/load.js')
const { openEngine } = await dist('cli/engine-wiring.js')
const { computePlan } = await dist('engine/planner.js')

const START = '2026-01-01T00:00:00Z'
const data = join(work, 'data')
await rm(work, { recursive: true, force: true })
await mkdir(work, { recursive: true })
const customers = quickstartCustomerIds(Number(customerCount))
const planFile = await writeQuickstartPlan(work, { customers, start: START, days: Number(days), deletePer: per })
// Without the quickstart's canary: its own delete (which goes first) would rewrite the parts it touches once more.
await writeFile(planFile, (await readFile(planFile, 'utf8')).replace('rollout:\n  canary: [alaska-air]\n', ''))

const client = createClient({ connection: createChdbConnection({ path: data }) })
const runner = sqlRunnerFromClient(client)
await createQuickstartTables(runner)
await generateQuickstartData(runner, { customers: customers.length, days: Number(days), conversationsPerDay: Number(perDay), start: START })
for (const query of [
  `CREATE TABLE labels_daily AS conversation_with_labels ENGINE = ReplacingMergeTree(labeled_at) PARTITION BY toDate(conversation_end_time)
   ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)`,
  'INSERT INTO labels_daily SELECT * FROM conversation_with_labels',
  'DROP TABLE conversation_with_labels',
  'RENAME TABLE labels_daily TO conversation_with_labels',
]) {
  await client.command({ query })
}

const { spec } = await loadPlan(planFile)
const engine = await openEngine(spec)
let result
try {
  const plan = await computePlan(spec, engine.deps, { selection: { targets: [], excludes: [] }, select: 'all', refresh: true })
  const parts = async () => {
    const result = await client.query({
      query: `SELECT concat(partition_id, '_', toString(min_block_number), '_', toString(max_block_number), '_', toString(level)) AS id, bytes_on_disk AS bytes, hash_of_all_files AS hash
              FROM system.parts WHERE database = currentDatabase() AND table = 'conversation_with_labels' AND active`,
      format: 'JSONEachRow',
    })
    return new Map((await result.json()).map((row) => [row.id, { bytes: Number(row.bytes), hash: row.hash }]))
  }
  const touched = new Map()
  let rewrittenBytes = 0
  let rewrites = 0
  const deletes = plan.steps.filter((step) => step.kind === 'delete')
  for (const step of deletes) {
    const before = await parts()
    const { sql, params } = step.inputs
    // The plan's own statement, waiting for its mutation.
    await client.command({ query: sql, query_params: { ...params, tag: 'bf:bench' }, clickhouse_settings: { mutations_sync: '2' } })
    const after = await parts()
    for (const [id, part] of before) {
      if (after.get(id)?.hash === part.hash) continue
      rewrites++
      rewrittenBytes += part.bytes
      if (!touched.has(id)) touched.set(id, part.bytes)
    }
  }
  const touchedBytes = [...touched.values()].reduce((sum, bytes) => sum + bytes, 0)
  result = {
    delete_per: per,
    customers: customers.length,
    days: Number(days),
    deletes: deletes.length,
    parts_touched: touched.size,
    part_rewrites: rewrites,
    bytes_touched: touchedBytes,
    bytes_rewritten: rewrittenBytes,
    rewrite_ratio: rewrittenBytes / touchedBytes,
    estimated: plan.summary.rewrite ?? null,
  }
} finally {
  await engine.close()
  await client.close()
}
process.stdout.write(`${JSON.stringify(result)}\n`)
