// Child process: the state of a backfill half done. The canary customer is done (an apply
// finishes it before any other starts); every other customer has its delete done and the
// jobs and verifies of its first DONE_DAYS days. Built from the plan bf computes on an
// empty state, as `started` + `succeeded` events through the state model, and written as
// the snapshot a compaction writes.
// Usage: node bench/plan-scale/state.js PLAN_FILE DONE_DAYS
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { dist } from '../lib/paths.js'
import { planFromEmptyState } from '../lib/plan-from-empty.js'
import { secondsSince } from '../lib/stats.js'

const [planFile, doneDaysText] = process.argv.slice(2)
const doneDays = Number(doneDaysText)
const { applyEvent, STATE_FORMAT_VERSION } = await dist('state/model.js')
const { snapshotChunks } = await dist('state/snapshot-file.js')
const { ensureDir, replaceFileAtomically } = await dist('state/fsync.js')

const started = process.hrtime.bigint()
const { spec, plan } = await planFromEmptyState(planFile)

const canaries = new Set(spec.rollout.canary)
const cutoff = spec.window.start + doneDays * 86_400_000
const isDone = (step) =>
  step.kind === 'check' || step.kind === 'delete' || step.kind === 'await-mutation' || canaries.has(step.customer) || (step.window && step.window.start < cutoff)

const lineage = '6f1c2a9e-3b7d-4c55-9a10-2e8f4b6d7c01'
const steps = new Map()
let serial = 0
let clock = Date.parse('2026-06-01T00:00:00Z')
const tick = () => new Date((clock += 37)).toISOString()
const hash = (text, length) => createHash('sha256').update(text).digest('hex').slice(0, length)
/** Outputs like those the step handlers record, so the state weighs what a real one weighs. */
function outputsOf(step, startedAt) {
  switch (step.kind) {
    case 'check':
      return { warnings: [] }
    case 'delete':
      return { tag: `bf-${hash(`${lineage}/${step.address}`, 12)}-1`, since: Date.parse(startedAt) }
    case 'await-mutation':
      return { tag: `bf-${hash(`${lineage}/${step.address}`, 12)}-1`, hosts: [{ host: 'ch-1', mutationId: 'mutation_42.txt', isDone: true, partsToDo: 0 }], waitedMs: 4210 }
    case 'job': {
      const unit = hash(step.unit, 16)
      return { queryId: `bf-${unit.slice(0, 12)}-a1-${lineage.slice(0, 8)}`, deduplicationToken: `bf:${lineage}:${unit}:a1`, startedAt, writtenRows: 1 }
    }
    default:
      return { rows: 1, keys: 1, duplicates: 0, expected: 1, ratio: 1 }
  }
}
for (const step of plan.steps) {
  if (!isDone(step)) continue
  const base = { address: step.address, kind: step.kind, attempt: 1, fingerprint: step.fingerprint }
  const startedAt = tick()
  applyEvent(steps, { type: 'started', ...base, inputs: step.inputs, at: startedAt })
  applyEvent(steps, { type: 'succeeded', ...base, outputs: outputsOf(step, startedAt), at: tick() })
  serial += 2
}
const snapshot = { formatVersion: STATE_FORMAT_VERSION, lineage, serial, plan: spec.name, steps }
await ensureDir(spec.statePath)
await replaceFileAtomically(join(spec.statePath, 'snapshot.json'), snapshotChunks(snapshot))
process.stdout.write(`${JSON.stringify({ steps: steps.size, units: plan.units.length, seconds: secondsSince(started) })}\n`)
