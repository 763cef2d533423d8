// Child process: copies a plan's file state into its clickhouse state (the plan file says
// `state: { backend: clickhouse }`), as `bf state migrate` does: one new generation of
// the plan's rows, a record per step.
// Usage: node bench/state-load/to-clickhouse.js PLAN_FILE FILE_STATE_DIR
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [planFile, stateDir] = process.argv.slice(2)
const { loadPlan } = await dist('plan/load.js')
const { FileStateStore } = await dist('state/file-store.js')
const { openStateStore } = await dist('cli/engine-wiring.js')

const { spec } = await loadPlan(planFile)
const snapshot = await new FileStateStore(stateDir, spec.name).read()
const started = process.hrtime.bigint()
const store = openStateStore(spec)
try {
  const lock = await store.lock({ operation: 'migrate', timeoutMs: 0 })
  try {
    await store.replace(snapshot)
  } finally {
    await lock.release()
  }
} finally {
  await store.close()
}
process.stdout.write(`${JSON.stringify({ steps: snapshot.steps.size, seconds: secondsSince(started) })}\n`)
