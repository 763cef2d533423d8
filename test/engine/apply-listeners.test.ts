import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApplyListener } from '../../src/engine/events.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

let ws: EmbeddedWorkspace

beforeEach(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 2, days: 2, conversationsPerDay: 10, start: '2026-01-01T00:00:00Z' })
  ws.writePlan(relabelPlan({ customers: ['alaska-air', 'acme'], end: '2026-01-03T00:00:00Z' }))
})
afterEach(async () => ws.close())

const applyWith = (listener: ApplyListener): ReturnType<EmbeddedWorkspace['apply']> => ws.apply({}, {}, process.env, [listener])

describe('apply listeners', () => {
  it('sees every dependency of a step recorded as succeeded in the state before the step starts', async () => {
    const spec = await ws.load()
    const reader = new FileStateStore(spec.statePath, spec.name)
    const plan = await ws.plan()
    const dependsOn = new Map(plan.steps.map((step) => [step.address, step.dependsOn]))
    const checked: string[] = []
    const outcome = await applyWith(async (event) => {
      if (event.type !== 'step_start') return
      const state = await reader.read()
      for (const parent of dependsOn.get(event.address) ?? []) expect(state.steps.get(parent)?.status, `${parent} before ${event.address}`).toBe('succeeded')
      checked.push(event.address)
    })
    expect(outcome.kind).toBe('applied')
    expect(checked).toHaveLength(plan.steps.length)
  })

  it('stops the apply with a clear error when a listener throws, starting nothing more, and the next apply finishes', async () => {
    const started: string[] = []
    const failing = applyWith((event) => {
      if (event.type === 'step_start') started.push(event.address)
      if (event.type === 'step_done' && event.address === 'local/check') throw new Error('the progress view broke')
    })
    await expect(failing).rejects.toThrow('bf stopped: handling step_done of local/check failed: the progress view broke')
    expect(started).toEqual(['local/check'])
    const resumed = await ws.apply()
    expect(resumed.kind).toBe('applied')
    if (resumed.kind === 'applied') expect(resumed.result).toMatchObject({ failed: 0, skipped: 0, interrupted: false })
    expect((await ws.plan()).summary.hasChanges).toBe(false)
  })
})
