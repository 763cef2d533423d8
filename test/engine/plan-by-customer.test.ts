import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { computePlan } from '../../src/engine/planner.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { ALL, openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

let ws: EmbeddedWorkspace

/** The plan made from a whole read of the state, as `bf apply` makes it. */
async function planFromWholeState(): Promise<ComputedPlan> {
  const spec = await ws.load()
  const engine = await openEngine(spec)
  try {
    return await computePlan(spec, engine.deps, ALL, await engine.deps.state.read())
  } finally {
    await engine.close()
  }
}

// Each test has a workspace of its own, set up the same way: the second one edits the snapshot.
beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 3, days: 3, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
  ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme', 'globex'], canary: ['alaska-air'] }))
  const applied = await ws.apply()
  expect(applied.kind === 'applied' && applied.result.failed).toBe(0)
  // A compacted snapshot, then journal events after it: a failed job, and a unit never seen before.
  const spec = await ws.load()
  const store = new FileStateStore(spec.statePath, spec.name)
  await store.lock({ operation: 'test', timeoutMs: 0 })
  await store.compact()
  const at = '2026-06-01T00:00:00.000Z'
  await store.append({ type: 'failed', address: 'local/acme/2026-01-02/job', kind: 'job', attempt: 2, fingerprint: 'old', error: 'boom', at })
  await store.append({ type: 'succeeded', address: 'local/initech/2026-01-01/job', kind: 'job', attempt: 1, fingerprint: 'x', at })
  await store.close()
  // globex leaves the plan file: its units are forgotten.
  ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], canary: ['alaska-air'] }))
})
afterEach(async () => ws.close())

describe('planning from a state read a customer at a time', () => {
  it('makes the same plan as from a whole read: re-runs, forgotten units and steps, in the same order', async () => {
    const streamed = await ws.plan()
    expect(streamed).toEqual(await planFromWholeState())
    const actions = Object.fromEntries(streamed.units.map((unit) => [unit.address, unit.action]))
    expect(actions['local/acme/2026-01-02']).toBe('replace')
    expect(actions['local/globex/2026-01-01']).toBe('forget')
    expect(actions['local/initech/2026-01-01']).toBe('forget')
    expect(streamed.forgetSteps).toContain('local/globex/delete')
  })

  it('makes it again from a whole read when the snapshot was edited out of order', async () => {
    const spec = await ws.load()
    const file = join(spec.statePath, 'snapshot.json')
    const lines = readFileSync(file, 'utf8').split('\n')
    const acme = lines.findIndex((line) => line.includes('"local/acme/2026-01-01/job"'))
    const globex = lines.findIndex((line) => line.includes('"local/globex/2026-01-01/job"'))
    ;[lines[acme], lines[globex]] = [lines[globex]!, lines[acme]!]
    writeFileSync(file, lines.join('\n'))
    expect(await ws.plan()).toEqual(await planFromWholeState())
  })
})
