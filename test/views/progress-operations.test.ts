import { describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/engine/events.js'
import { LineProgressView } from '../../src/views/progress/line-progress.js'
import { LiveProgressView } from '../../src/views/progress/live-progress.js'
import { Screen } from './screen.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const at = (ms: number): string => new Date(T0 + ms).toISOString()
const start = (address: string, ms: number): ApplyEvent => ({ type: 'step_start', address, kind: address.endsWith('verify') ? 'verify' : 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: at(ms) })
const done = (address: string, unit: string, ms: number, durationMs: number): ApplyEvent => ({
  type: 'step_done',
  address,
  kind: address.endsWith('verify') ? 'verify' : 'job',
  status: 'succeeded',
  attempt: 1,
  durationMs,
  unit,
  at: at(ms),
})

/** A view on a clock the test moves, with the ticks it asked for in the test's hands. */
function lineView(): { view: LineProgressView; text: () => string; move: (ms: number) => void } {
  let text = ''
  let now = T0
  let tick: (() => void) | undefined
  const view = new LineProgressView({ write: (chunk) => void (text += chunk) }, { color: false, jobs: 2, concurrency: 1, clock: () => now, every: (_ms, fn) => ((tick = fn), () => {}) })
  return {
    view,
    text: () => text,
    move: (ms) => {
      now = T0 + ms
      tick?.()
    },
  }
}

describe('LineProgressView on a long run', () => {
  it('writes where the apply stands at least every 30 s while a step runs: its time, its pod, units, throughput and ETA', () => {
    const { view, text, move } = lineView()
    view.onEvent({ type: 'apply_start', plan: 'p', steps: 4, units: 2, at: at(0) })
    view.onEvent(start('c/a/2026-01-01/job', 0))
    view.onEvent({ type: 'step_note', address: 'c/a/2026-01-01/job', message: 'pods: bf-p-a-1-x (Pending: ImagePullBackOff)', at: at(1_000) })
    const quiet = text()
    move(29_000)
    expect(text()).toBe(quiet)
    move(31_000)
    expect(text().slice(quiet.length)).toBe('[0/4] … 1 running: c/a/2026-01-01/job 31s (pods: bf-p-a-1-x (Pending: ImagePullBackOff)) · 0/2 units\n')
    move(45_000)
    expect(text().split('…')).toHaveLength(2)
    move(61_000)
    expect(text().split('…')).toHaveLength(3)

    move(20 * 60_000)
    view.onEvent(done('c/a/2026-01-01/job', 'c/a/2026-01-01', 20 * 60_000, 20 * 60_000))
    view.onEvent(start('c/a/2026-01-01/verify', 20 * 60_000))
    move(30 * 60_000)
    view.onEvent(done('c/a/2026-01-01/verify', 'c/a/2026-01-01', 30 * 60_000, 10 * 60_000))
    view.onEvent(start('c/a/2026-01-02/job', 30 * 60_000))
    const before = text()
    move(30 * 60_000 + 29_000)
    expect(text()).toBe(before)
    move(31 * 60_000)
    // One unit in 31 minutes; one job took 20 minutes, so the running one has 19 left.
    expect(text().slice(before.length)).toBe('[2/4] … 1 running: c/a/2026-01-02/job 1m00s · 1/2 units · 1.9 units/h · ETA ~19m\n')
    move(62 * 60_000)
    view.onEvent({ type: 'apply_done', succeeded: 4, failed: 0, skipped: 0, forgotten: 0, durationMs: 62 * 60_000, interrupted: false, at: at(62 * 60_000) })
    expect(text().trimEnd().split('\n').at(-1)).toBe('Took 1h02m.')
  })

  it('keeps saying what holds steps back while nothing runs, and stays quiet once nothing runs or waits', () => {
    const { view, text, move } = lineView()
    view.onEvent({ type: 'apply_start', plan: 'p', steps: 2, units: 1, at: at(0) })
    view.onEvent({ type: 'waiting_for_window', opensAt: at(3 * 3_600_000 + 12 * 60_000), window: 'Mon-Fri 22:00-06:00', timezone: 'America/Los_Angeles', at: at(0) })
    view.onEvent({ type: 'throttled', cluster: 'east', check: 'mergesBusy', value: 0.95, limit: 0.8, at: at(0) })
    const quiet = text()
    move(12 * 60_000)
    expect(text().slice(quiet.length)).toBe(
      '[0/2] … 0 running · 0/1 units\n      … waiting for the window Mon-Fri 22:00-06:00 America/Los_Angeles, opens in 3h00m\n      … throttled on east: mergesBusy 0.95 > 0.80\n',
    )
    view.onEvent({ type: 'window_open', window: 'Mon-Fri 22:00-06:00', at: at(12 * 60_000) })
    view.onEvent({ type: 'unthrottled', cluster: 'east', at: at(12 * 60_000) })
    const after = text()
    move(20 * 60_000)
    expect(text()).toBe(after)
  })
})

describe('LiveProgressView on a long run', () => {
  it('shows units and throughput in its first line, what holds steps under it, and a running Job\'s pod phase', () => {
    let out = ''
    let now = T0
    const view = new LiveProgressView({ write: (chunk) => void (out += chunk) }, { color: false, columns: 120, jobs: 2, concurrency: 1, clock: () => now, every: () => () => {} })
    view.onEvent({ type: 'apply_start', plan: 'p', steps: 4, units: 2, at: at(0) })
    view.onEvent(done('c/a/2026-01-01/verify', 'c/a/2026-01-01', 0, 1_000))
    now = T0 + 30 * 60_000
    view.onEvent(start('c/a/2026-01-02/job', 30 * 60_000))
    view.onEvent({ type: 'step_note', address: 'c/a/2026-01-02/job', message: 'pods: bf-p-a-2-x (Running)', at: at(30 * 60_000) })
    view.onEvent({ type: 'paused', by: 'ana@laptop (pid 7)', reason: 'incident 42', since: at(0), at: at(30 * 60_000) })
    now = T0 + 31 * 60_000
    view.close()
    const screen = new Screen()
    screen.write(out)
    expect(screen.text().split('\n').slice(-3)).toEqual([
      'Applying p: 1/4 steps done · 1/2 units · 1.9 units/h · 1 running',
      '  ⏸ paused by ana@laptop (pid 7): incident 42 (bf resume to go on)',
      '  ▸ c/a/2026-01-02/job  1m00s  pods: bf-p-a-2-x (Running)',
    ])
  })
})
