// What the runbook's script needs from the plan file: the tables, each customer's window
// (the canary first, as the runbook backfills one customer, verifies it, then the rest),
// the job's INSERT … SELECT and how many run at once. Nothing of how bf runs it.
import { dist } from '../lib/paths.js'

export async function runbookOfPlan(planFile) {
  const { loadPlan } = await dist('plan/load.js')
  const { spec } = await loadPlan(planFile)
  const cluster = spec.clusters[0]
  const canary = (customer) => spec.rollout.canary.includes(customer.id)
  const customers = [...cluster.customers.filter(canary), ...cluster.customers.filter((customer) => !canary(customer))]
  const { target, expected } = spec
  return {
    cluster: cluster.name,
    target: { database: target.database, table: target.table, readTable: target.readTable, timeColumn: target.timeColumn, customerColumn: target.customerColumn, keyColumns: target.keyColumns },
    expected: { database: expected.database, table: expected.table, timeColumn: expected.timeColumn, customerColumn: expected.customerColumn, keyColumns: expected.keyColumns },
    customers: customers.map((customer) => ({ id: customer.id, start: customer.window.start, end: customer.window.end })),
    stepMs: spec.batch.stepMs,
    jobSql: spec.job.sql,
    concurrency: spec.job.concurrency,
  }
}
