// Child process: opens a plan's clickhouse state and asks it one small question (its
// pause), reading no steps: the peak memory of the embedded engine alone, for the reads'.
// Usage: node bench/state-load/engine-only.js PLAN_FILE
import { dist } from '../lib/paths.js'

const [planFile] = process.argv.slice(2)
const { loadPlan } = await dist('plan/load.js')
const { openStateStore } = await dist('cli/engine-wiring.js')
const { spec } = await loadPlan(planFile)
const store = openStateStore(spec)
try {
  await store.pauseInfo()
} finally {
  await store.close()
}
process.stdout.write(`${JSON.stringify({ rss_mb: process.memoryUsage().rss / 2 ** 20 })}\n`)
