// Child process: the time a verify's figures take per unit, with 1 and with 50 units per
// grouped query (bf's cap), on the data a bf apply left. The same units both ways, each
// way once: the first `customers` customers' units, in plan order.
// Usage: node bench/e2e/verify-groups.js PLAN_FILE CUSTOMERS
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [planFile, customerCount] = process.argv.slice(2)
const { loadPlan } = await dist('plan/load.js')
const { unitsOfCustomer } = await dist('plan/batches.js')
const { openWarehouse } = await dist('warehouse/open-warehouse.js')
const { groupsOf, VERIFY_GROUP_CAP } = await dist('engine/verify-batcher.js')

const { spec } = await loadPlan(planFile)
const cluster = spec.clusters[0]
const warehouse = await openWarehouse(cluster)
const units = cluster.customers
  .slice(0, Number(customerCount))
  .flatMap((customer) => [...unitsOfCustomer(spec, cluster, customer)])
  .map((unit) => ({ customer: unit.customer, window: { start: unit.batch.start, end: unit.batch.end } }))
const tables = { target: spec.target, expected: spec.expected, grid: spec.batch }

async function msPerUnit(size) {
  const started = process.hrtime.bigint()
  let queries = 0
  for (const group of groupsOf(units, size)) {
    await warehouse.unitFigures({ ...tables, units: group })
    queries += 2
  }
  return { ms_per_unit: (secondsSince(started) * 1000) / units.length, queries }
}

try {
  // Warm: the table facts (read once per warehouse) and the engine's caches.
  await warehouse.unitFigures({ ...tables, units: units.slice(0, 1) })
  const one = await msPerUnit(1)
  const grouped = await msPerUnit(VERIFY_GROUP_CAP)
  process.stdout.write(`${JSON.stringify({ units: units.length, per_query: { 1: one, [VERIFY_GROUP_CAP]: grouped } })}\n`)
} finally {
  await warehouse.close()
}
