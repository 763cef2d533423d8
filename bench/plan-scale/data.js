// Child process: the data a large plan refreshes against, in one embedded-engine folder.
// conversation_d holds one conversation per customer and day over the whole window (what
// the jobs are expected to write); conversation_with_labels holds those of the first half
// of the days only, as a backfill half done leaves it (deleted, then re-inserted up to
// there), and all of those of the canary customer, which an apply finishes first.
// Usage: node bench/plan-scale/data.js DATA_DIR CUSTOMERS DAYS DONE_DAYS START
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { mkdir, rm } from 'node:fs/promises'
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [dataDir, customers, days, doneDays, start] = process.argv.slice(2)
const { createQuickstartTables, generateQuickstartData, quickstartCustomerIds, sqlRunnerFromClient } = await dist('quickstart/index.js')
const started = process.hrtime.bigint()
await rm(dataDir, { recursive: true, force: true })
await mkdir(dataDir, { recursive: true })
const client = createClient({ connection: createChdbConnection({ path: dataDir }) })
try {
  const runner = sqlRunnerFromClient(client)
  await createQuickstartTables(runner)
  await generateQuickstartData(runner, { customers: Number(customers), days: Number(days), conversationsPerDay: 1, start })
  await runner.command('TRUNCATE TABLE conversation_with_labels')
  await runner.command(
    `INSERT INTO conversation_with_labels (conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at)
     SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'assisted', ended_at FROM conversation_d
     WHERE ended_at < {half:DateTime} OR customer_id = {canary:String}`,
    { half: Date.parse(start) / 1000 + Number(doneDays) * 86_400, canary: quickstartCustomerIds(1)[0] },
  )
} finally {
  await client.close()
}
process.stdout.write(`${JSON.stringify({ seconds: secondsSince(started) })}\n`)
