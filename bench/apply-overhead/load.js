// Child process: times one read of a state (snapshot and journal) by a fresh FileStateStore.
// Usage: node bench/apply-overhead/load.js STATE_DIR PLAN_NAME
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [stateDir, planName] = process.argv.slice(2)
const { FileStateStore } = await dist('state/file-store.js')
const started = process.hrtime.bigint()
const state = await new FileStateStore(stateDir, planName).read()
const seconds = secondsSince(started)
process.stdout.write(`${JSON.stringify({ seconds, steps: state.steps.size, heap_mb: process.memoryUsage().heapUsed / 2 ** 20 })}\n`)
