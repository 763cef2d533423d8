// Mutations issued: the quickstart plan with one delete per customer, and the same plan
// with one delete per day (`delete.per: batch`), each applied to a fresh copy of the same data.
import { cp, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeQuickstartPlan } from '../e2e/plan-file.js'
import { runJsonScript } from '../lib/child.js'
import { benchDir } from '../lib/paths.js'

const START = '2026-01-01T00:00:00Z'

export async function mutationsScenario({ work, customers, days, perDay, log }) {
  const source = join(work, 'source')
  const made = await runJsonScript(join(benchDir, 'e2e', 'generate.js'), [source, String(customers), String(days), String(perDay)])
  const runs = {}
  for (const per of ['customer', 'batch']) {
    const dir = join(work, per)
    await mkdir(dir, { recursive: true })
    await cp(source, join(dir, 'data'), { recursive: true })
    const planFile = await writeQuickstartPlan(dir, { customers: made.json.customers, start: START, days, deletePer: per })
    runs[per] = (await runJsonScript(join(benchDir, 'mutations', 'apply.js'), [planFile])).json
    log(`  delete per ${per === 'batch' ? 'day' : per}: ${runs[per].mutations} mutations, ${runs[per].parts_rewritten} parts rewritten, ${runs[per].rows_rewritten.toLocaleString('en-US')} rows rewritten`)
    await rm(dir, { recursive: true, force: true })
  }
  await rm(source, { recursive: true, force: true })
  return { conversations: made.json.conversations, per_customer: runs.customer, per_day: runs.batch }
}
