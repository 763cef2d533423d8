// Child process: reads a plan's state as `bf plan` does, a customer at a time, from the
// backend its plan file names (or from FILE_STATE_DIR, the file backend, when given), and
// walks every step. Prints the time of the read, the steps and the most steps held at once.
// Usage: node bench/state-load/load.js PLAN_FILE [FILE_STATE_DIR]
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [planFile, stateDir] = process.argv.slice(2)
const { loadPlan } = await dist('plan/load.js')
const { FileStateStore } = await dist('state/file-store.js')
const { openStateStore } = await dist('cli/engine-wiring.js')

const { spec } = await loadPlan(planFile)
const store = stateDir ? new FileStateStore(stateDir, spec.name) : openStateStore(spec)
let steps = 0
let groups = 0
let largestGroup = 0
const started = process.hrtime.bigint()
try {
  const state = await store.readByCustomer()
  for await (const group of state.groups()) {
    groups++
    steps += group.steps.size
    largestGroup = Math.max(largestGroup, group.steps.size)
  }
} finally {
  await store.close()
}
const seconds = secondsSince(started)
process.stdout.write(`${JSON.stringify({ seconds, steps, groups, largest_group: largestGroup, heap_mb: process.memoryUsage().heapUsed / 2 ** 20 })}\n`)
