// Child process: the state of a large backfill most of the way through. Every customer's
// delete is done; its units are verified up to a day that varies by customer, and a few
// of them failed their job. Built from the plan bf computes on an empty state, through the
// state model, and written as the snapshot a compaction writes.
// Usage: node bench/report/state.js PLAN_FILE
import { join } from 'node:path'
import { dist } from '../lib/paths.js'
import { planFromEmptyState } from '../lib/plan-from-empty.js'
import { secondsSince } from '../lib/stats.js'

const [planFile] = process.argv.slice(2)
const { stepFingerprint } = await dist('engine/fingerprint.js')
const { applyEvent, STATE_FORMAT_VERSION } = await dist('state/model.js')
const { snapshotChunks } = await dist('state/snapshot-file.js')
const { ensureDir, replaceFileAtomically } = await dist('state/fsync.js')

const started = process.hrtime.bigint()
const { spec, plan } = await planFromEmptyState(planFile)

const DAY = 86_400_000
const customers = spec.clusters.flatMap((cluster) => cluster.customers.map((customer) => customer.id))
/** Days done per customer: from 300 to all 365, so the grid's right edge is ragged. */
const doneDays = new Map(customers.map((id, index) => [id, 300 + ((index * 37) % 66)]))
const lineage = '6f1c2a9e-3b7d-4c55-9a10-2e8f4b6d7c01'
const steps = new Map()
let serial = 0
let clock = Date.parse('2026-06-01T00:00:00Z')
const tick = (ms) => new Date((clock += ms)).toISOString()
let unitIndex = 0
for (const step of plan.steps) {
  const base = { address: step.address, kind: step.kind, attempt: 1, fingerprint: stepFingerprint(step), inputs: step.inputs }
  let outcome = 'succeeded'
  let outputs
  if (step.kind === 'job' || step.kind === 'verify') {
    const day = Math.floor((step.window.start - spec.window.start) / DAY)
    if (day >= doneDays.get(step.customer)) continue
    if (step.kind === 'job') unitIndex++
    // About one unit in 500 failed its job; its verify never ran.
    const failing = unitIndex % 499 === 0
    if (step.kind === 'verify' && failing) continue
    if (step.kind === 'job') {
      outcome = failing ? 'failed' : 'succeeded'
      outputs = { queryId: `bf-${unitIndex.toString(16).padStart(12, '0')}-a1-6f1c2a9e`, deduplicationToken: `bf:${lineage}:${unitIndex}:a1`, writtenRows: 200 }
    } else {
      outputs = { rows: 200, keys: 200, duplicates: 0, expected: 200, ratio: 1 }
    }
  } else if (step.kind === 'delete') {
    outputs = { tag: `bf-${serial}-1`, since: clock }
  } else if (step.kind === 'await-mutation') {
    outputs = { tag: `bf-${serial}-1`, hosts: [{ host: 'ch-1', mutationId: `mutation_${serial}.txt`, isDone: true, partsToDo: 0 }], waitedMs: 4210 }
  } else {
    outputs = { warnings: [] }
  }
  applyEvent(steps, { type: 'started', ...base, at: tick(5) })
  applyEvent(steps, { type: outcome, ...base, outputs, ...(outcome === 'failed' ? { error: 'INSERT failed: Code: 241. Memory limit exceeded' } : {}), at: tick(900) })
  serial += 2
}
const snapshot = { formatVersion: STATE_FORMAT_VERSION, lineage, serial, plan: spec.name, steps }
await ensureDir(spec.statePath)
await replaceFileAtomically(join(spec.statePath, 'snapshot.json'), snapshotChunks(snapshot))
process.stdout.write(`${JSON.stringify({ steps: steps.size, units: plan.units.length, seconds: secondsSince(started) })}\n`)
