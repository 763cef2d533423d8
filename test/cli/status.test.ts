import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStateStore } from '../../src/cli/engine-wiring.js'
import { loadPlan } from '../../src/plan/load.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, seedQuickstart } from '../support/cli.js'

let dir: string
let plan: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-status-'))
  seedQuickstart(join(dir, 'data'), { customers: 2, days: 3, conversationsPerDay: 5 })
  plan = join(dir, 'plan.yaml')
  writeFileSync(plan, relabelPlan({ customers: ['alaska-air', 'acme'] }))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface StatusJson {
  holder: { who: string; pid: number; operation: string } | null
  pause: { by: string; reason: string } | null
  clusters: { cluster: string; verified: number; todo: number; total: number }[]
  eta_ms: number | null
  recent: { address: string; status: string }[]
}

const status = (): StatusJson => JSON.parse(bf(['status', plan, '--json'], { cwd: dir }).stdout) as StatusJson

describe('bf status', () => {
  it('shows progress per cluster, the last transitions, the apply holding the lock and a pause, from the state alone', async () => {
    const before = status()
    expect(before.holder).toBeNull()
    expect(before.clusters).toEqual([expect.objectContaining({ cluster: 'local', verified: 0, todo: 6, total: 6 })])
    expect(before.recent).toEqual([])

    expect(bf(['apply', plan, '--auto-approve'], { cwd: dir }).status).toBe(0)
    const human = bf(['status', plan], { cwd: dir })
    expect(human.status).toBe(0)
    expect(human.stdout).toContain('No apply is running.')
    expect(human.stdout).toMatch(/^local +6 +0 +0 +0 +0 +6$/m)
    expect(human.stdout).toContain('6 of 6 units verified')
    expect(human.stdout).toContain('ETA done')
    expect(human.stdout).toMatch(/Last transitions:\n {2}\S+ {2}succeeded {2}local\/\S+\/verify/)
    expect(status().recent).toHaveLength(5)

    // An apply elsewhere holds the lock: status names it, and still reads the state.
    const { spec } = await loadPlan(plan)
    const store = openStateStore(spec)
    const held = await store.lock({ operation: 'apply', timeoutMs: 0 })
    try {
      expect(status().holder).toMatchObject({ pid: process.pid, operation: 'apply' })
      expect(bf(['status', plan], { cwd: dir }).stdout).toMatch(new RegExp(`^Applying: apply by \\S+ \\(pid ${process.pid}\\) since `, 'm'))
    } finally {
      await held.release()
      await store.close()
    }

    expect(bf(['pause', plan, '--reason', 'dashboards are slow'], { cwd: dir }).status).toBe(0)
    expect(status().pause).toMatchObject({ reason: 'dashboards are slow' })
    expect(bf(['status', plan], { cwd: dir }).stdout).toMatch(/^Paused: paused by \S+ \(pid \d+\) since \S+: dashboards are slow\. Go on with bf resume\.$/m)
    expect(bf(['resume', plan], { cwd: dir }).status).toBe(0)
    expect(status().pause).toBeNull()
  })
})
