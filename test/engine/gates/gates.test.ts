import { describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../../src/engine/events.js'
import type { LoadRound } from '../../../src/engine/gates/load-checks.js'
import { PauseGate } from '../../../src/engine/gates/pause-gate.js'
import { ScheduleGate } from '../../../src/engine/gates/schedule-gate.js'
import { allGates } from '../../../src/engine/gates/start-gate.js'
import { ThrottleGate } from '../../../src/engine/gates/throttle-gate.js'
import type { PlannedStep } from '../../../src/engine/plan-model.js'
import { parseScheduleWindow } from '../../../src/plan/schedule-window.js'
import type { PauseInfo } from '../../../src/state/store.js'
import type { StepKind } from '../../../src/state/model.js'
import { FakeClock } from '../../support/fake-clock.js'
import { waitFor } from '../../support/wait-for.js'

const step = (kind: StepKind, cluster = 'east'): PlannedStep => ({ address: `${cluster}/acme/2026-01-01/${kind}`, kind, dependsOn: [], cluster, inputs: {} })

function recorder(): { events: ApplyEvent[]; emit: (event: ApplyEvent) => Promise<void>; types: () => string[] } {
  const events: ApplyEvent[] = []
  return { events, emit: async (event) => void events.push(event), types: () => events.map((event) => event.type) }
}

/** Tracks whether a gate's promise has settled. */
function track(promise: Promise<boolean>): { done: () => boolean; held: () => boolean | undefined } {
  let result: boolean | undefined
  let settled = false
  void promise.then((value) => {
    settled = true
    result = value
  })
  return { done: () => settled, held: () => result }
}

const running = new AbortController().signal

describe('ScheduleGate', () => {
  const schedule = { timezone: 'America/Los_Angeles', windows: [parseScheduleWindow('Mon-Fri 22:00-06:00')!] }

  it('holds deletes and jobs outside the window, says so once, and lets them all go when it opens', async () => {
    // Monday 18:48 PST: the window opens in 3h12m.
    const clock = new FakeClock('2026-01-13T02:48:00Z')
    const { events, emit, types } = recorder()
    const gate = new ScheduleGate(schedule, emit, clock)
    expect(await gate.pass(step('verify'), running)).toBe(false)
    expect(await gate.pass(step('check'), running)).toBe(false)
    const job = track(gate.pass(step('job'), running))
    const del = track(gate.pass(step('delete'), running))
    await waitFor(() => clock.sleepers === 2, { what: 'both steps waiting' })
    expect(events).toEqual([
      { type: 'waiting_for_window', opensAt: '2026-01-13T06:00:00.000Z', window: 'Mon-Fri 22:00-06:00', timezone: 'America/Los_Angeles', at: '2026-01-13T02:48:00.000Z' },
    ])
    // The gate naps at most a minute at a time and looks again: still closed, nothing more said.
    clock.advance(60_000)
    await waitFor(() => clock.sleepers === 2, { what: 'both steps waiting again' })
    expect(job.done() || del.done()).toBe(false)
    clock.set('2026-01-13T06:00:00Z')
    await waitFor(() => job.done() && del.done(), { what: 'both steps let through' })
    expect([job.held(), del.held()]).toEqual([true, true])
    expect(types()).toEqual(['waiting_for_window', 'window_open'])
  })

  it('lets a waiting step go at once on a stop', async () => {
    const clock = new FakeClock('2026-01-13T02:48:00Z')
    const stop = new AbortController()
    const gate = new ScheduleGate(schedule, recorder().emit, clock)
    const job = track(gate.pass(step('job'), stop.signal))
    await waitFor(() => clock.sleepers === 1, { what: 'the step waiting' })
    stop.abort()
    await waitFor(() => job.done(), { what: 'the step released by the stop' })
  })
})

describe('ThrottleGate', () => {
  it('checks before each start, holds only the busy cluster, re-checks every interval for all its waiting steps, and tells each change once', async () => {
    const clock = new FakeClock('2026-01-13T00:00:00Z')
    const { events, emit } = recorder()
    const load = new Map([['east', 50], ['west', 1]])
    const rounds: string[] = []
    const measure = async (cluster: string): Promise<LoadRound> => {
      rounds.push(cluster)
      return { readings: [{ check: 'parts', value: load.get(cluster) ?? 0, limit: 10 }], failures: [] }
    }
    const gate = new ThrottleGate(measure, 30_000, emit, clock)
    expect(await gate.pass(step('verify', 'east'), running)).toBe(false)
    expect(rounds).toEqual([])
    const first = track(gate.pass(step('job', 'east'), running))
    const second = track(gate.pass(step('delete', 'east'), running))
    await waitFor(() => clock.sleepers === 2, { what: 'both east steps held' })
    // West goes on while east is throttled.
    expect(await gate.pass(step('job', 'west'), running)).toBe(false)
    expect(events.map(({ at: _at, ...event }) => event)).toEqual([{ type: 'throttled', cluster: 'east', check: 'parts', value: 50, limit: 10 }])
    const roundsBefore = rounds.filter((cluster) => cluster === 'east').length
    clock.advance(30_000)
    await waitFor(() => clock.sleepers === 2, { what: 'both east steps held after a second round' })
    // One round for both waiting steps, and nothing said again while still over.
    expect(rounds.filter((cluster) => cluster === 'east').length).toBe(roundsBefore + 1)
    expect(events).toHaveLength(1)
    load.set('east', 3)
    clock.advance(30_000)
    await waitFor(() => first.done() && second.done(), { what: 'east steps let through' })
    expect(events.map((event) => event.type)).toEqual(['throttled', 'unthrottled'])
  })

  it('reports a check that cannot run once, as a warning, and does not hold steps for it', async () => {
    const clock = new FakeClock(0)
    const { events, emit } = recorder()
    const gate = new ThrottleGate(async () => ({ readings: [], failures: [{ check: 'replicationDelay', error: 'no system.replicas' }] }), 1_000, emit, clock)
    expect(await gate.pass(step('job'), running)).toBe(false)
    expect(await gate.pass(step('job'), running)).toBe(false)
    expect(events).toMatchObject([{ type: 'warning', message: 'cluster east: the load check replicationDelay cannot run, so it does not hold steps: no system.replicas' }])
  })
})

describe('PauseGate', () => {
  it('holds every kind of step from the pause until the resume, read every poll; running steps are not its business', async () => {
    const clock = new FakeClock(0)
    const { events, emit, types } = recorder()
    let pause: PauseInfo | undefined
    const gate = new PauseGate(async () => pause, emit, clock, 1_000)
    await gate.start()
    expect(await gate.pass(step('verify'), running)).toBe(false)
    pause = { who: 'ana', host: 'laptop', pid: 42, reason: 'dashboards are slow', since: '2026-01-13T00:00:00.000Z' }
    clock.advance(1_000)
    await waitFor(() => events.length === 1, { what: 'the pause seen' })
    expect(events[0]).toMatchObject({ type: 'paused', by: 'ana@laptop (pid 42)', reason: 'dashboards are slow' })
    const verify = track(gate.pass(step('verify'), running))
    const job = track(gate.pass(step('job'), running))
    clock.advance(1_000)
    await waitFor(() => clock.sleepers === 1, { what: 'the next poll' })
    expect(verify.done() || job.done()).toBe(false)
    pause = undefined
    clock.advance(1_000)
    await waitFor(() => verify.done() && job.done(), { what: 'the steps let through' })
    expect(types()).toEqual(['paused', 'resumed'])
    await gate.stop()
  })

  it('holds the first step of an apply started while paused', async () => {
    const clock = new FakeClock(0)
    const gate = new PauseGate(async () => ({ who: 'ana', host: 'h', pid: 1, reason: '', since: '' }), recorder().emit, clock, 1_000)
    await gate.start()
    const stop = new AbortController()
    const job = track(gate.pass(step('job'), stop.signal))
    await waitFor(() => clock.sleepers === 1, { what: 'the watch' })
    expect(job.done()).toBe(false)
    stop.abort()
    await waitFor(() => job.done(), { what: 'the step released by the stop' })
    await gate.stop()
  })
})

describe('allGates', () => {
  it('looks at every gate again after one held a step: a pause during a wait for the window still holds it', async () => {
    const clock = new FakeClock('2026-01-13T02:48:00Z')
    const { emit, types } = recorder()
    let pause: PauseInfo | undefined
    const pauseGate = new PauseGate(async () => pause, emit, clock, 1_000)
    await pauseGate.start()
    const schedule = new ScheduleGate({ timezone: 'UTC', windows: [parseScheduleWindow('daily 03:00-04:00')!] }, emit, clock)
    const job = track(allGates([pauseGate, schedule]).pass(step('job'), running))
    await waitFor(() => types().includes('waiting_for_window'), { what: 'the wait for the window' })
    pause = { who: 'ana', host: 'h', pid: 1, reason: 'incident', since: '' }
    clock.advance(1_000)
    await waitFor(() => types().includes('paused'), { what: 'the pause seen' })
    clock.set('2026-01-13T03:00:00Z')
    await waitFor(() => types().includes('window_open'), { what: 'the window open' })
    await waitFor(() => clock.sleepers === 1, { what: 'the pause watch alone asleep' })
    expect(job.done()).toBe(false)
    pause = undefined
    clock.advance(1_000)
    await waitFor(() => job.done(), { what: 'the step let through after the resume' })
    expect(job.held()).toBe(true)
    await pauseGate.stop()
  })
})
