import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStateStore } from '../../src/cli/engine-wiring.js'
import type { EngineDeps } from '../../src/engine/deps.js'
import { stepFingerprint } from '../../src/engine/fingerprint.js'
import { computePlan } from '../../src/engine/planner.js'
import { buildReport } from '../../src/engine/report/build-report.js'
import { loadPlan } from '../../src/plan/load.js'
import type { PlanSpec } from '../../src/plan/model.js'
import type { StateStore } from '../../src/state/store.js'
import { buildDeleteStatement } from '../../src/warehouse/delete-statement.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { tempDirs } from '../state/temp-dirs.js'

const tempDir = tempDirs()

/** Deps for a report from state alone: reaching a warehouse or a launcher is a failure of the test. */
function stateOnly(state: StateStore): EngineDeps {
  const unreachable = (): never => {
    throw new Error('a report with refresh false reached for the world')
  }
  return { state, warehouse: unreachable, launcher: unreachable, deleteStatement: buildDeleteStatement, env: {}, version: 'test' }
}

async function planIn(dir: string): Promise<PlanSpec> {
  await writeFile(join(dir, 'plan.yaml'), relabelPlan({ customers: ['alaska-air', 'acme'] }))
  return (await loadPlan(join(dir, 'plan.yaml'))).spec
}

describe('buildReport from the state store', () => {
  it('tells verified, failed, running and to do apart, and counts them, through the store interface alone', async () => {
    const dir = await tempDir()
    const spec = await planIn(dir)
    const store = openStateStore(spec)
    const plan = await computePlan(spec, stateOnly(store), { selection: { targets: [], excludes: [] }, select: 'all', refresh: false })
    const lock = await store.lock({ operation: 'apply', timeoutMs: 0 })
    const at = (second: number): string => new Date(Date.UTC(2026, 5, 1, 0, 0, second)).toISOString()
    let second = 0
    const run = async (address: string, outcome: 'succeeded' | 'failed' | 'started', outputs: Record<string, number | string> = {}): Promise<void> => {
      const step = plan.steps.find((candidate) => candidate.address === address)
      if (!step) throw new Error(`no planned step ${address}`)
      const base = { address, kind: step.kind, attempt: 1, fingerprint: stepFingerprint(step), inputs: step.inputs }
      await store.append({ type: 'started', ...base, at: at(second++) })
      if (outcome === 'succeeded') await store.append({ type: 'succeeded', ...base, outputs, at: at(second++) })
      if (outcome === 'failed') await store.append({ type: 'failed', ...base, error: 'exit 3', outputs, at: at(second++) })
    }
    await run('local/alaska-air/2026-01-01/job', 'succeeded', { queryId: 'q-1' })
    await run('local/alaska-air/2026-01-01/verify', 'succeeded', { rows: 10, keys: 10, expected: 10, ratio: 1, duplicates: 0 })
    await run('local/alaska-air/2026-01-02/job', 'failed', { queryId: 'q-2' })
    await run('local/acme/2026-01-01/job', 'started', { queryId: 'q-3' })

    const report = await buildReport(spec, stateOnly(store), { refresh: false, now: Date.parse(at(60)) })
    const statuses = report.clusters[0]?.customers.map((customer) => [customer.id, customer.units.map((unit) => unit.status)])
    expect(statuses).toEqual([
      ['alaska-air', ['verified', 'failed', 'todo']],
      ['acme', ['running', 'todo', 'todo']],
    ])
    expect(report.totals).toEqual({ verified: 1, failed: 1, drifted: 0, running: 1, todo: 3 })
    expect(report.lock?.operation).toBe('apply')
    expect(report.elapsedMs).toBe(60_000)
    expect(report.refreshed).toBe(false)
    const [verified, failed] = report.clusters[0]?.customers[0]?.units ?? []
    expect(verified).toMatchObject({ figures: { source: 'verify', rows: 10, keys: 10, expected: 10, ratio: 1 }, attempts: 1, durationMs: 3_000, job: { kind: 'query id', name: 'q-1' } })
    expect(failed).toMatchObject({ error: 'job failed: exit 3', job: { kind: 'query id', name: 'q-2' }, reasons: [] })
    await lock.release()

    // Without the lock held, a job started and never finished is no longer running: apply will reconcile it.
    const after = await buildReport(spec, stateOnly(store), { refresh: false })
    expect(after.clusters[0]?.customers[1]?.units[0]).toMatchObject({ status: 'todo', reasons: ['interrupted: job attempt 1 is reconciled first'] })
    expect(after.lock).toBeUndefined()
    await store.close()
  })

  it('reports an empty state as every unit to do', async () => {
    const dir = await tempDir()
    const spec = await planIn(dir)
    const store = openStateStore(spec)
    const report = await buildReport(spec, stateOnly(store), { refresh: false })
    expect(report.totals).toEqual({ verified: 0, failed: 0, drifted: 0, running: 0, todo: 6 })
    expect(report.state).toEqual({ lineage: null, serial: 0 })
    expect(report.clusters[0]?.batches.map((batch) => batch.label)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03'])
    expect(report.elapsedMs).toBeUndefined()
    await store.close()
  })
})
