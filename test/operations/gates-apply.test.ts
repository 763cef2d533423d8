import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { operationWarnings, planOperations } from '../../src/engine/gates/plan-operations.js'
import { computePlan } from '../../src/engine/planner.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { planJsonChunks } from '../../src/views/plan-json.js'
import type { ApplyEvent } from '../../src/engine/events.js'
import { LineProgressView } from '../../src/views/progress/line-progress.js'
import { ALL, openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { FakeClock } from '../support/fake-clock.js'
import { waitFor } from '../support/wait-for.js'

let ws: EmbeddedWorkspace

beforeAll(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 2, days: 2, conversationsPerDay: 10, start: '2026-01-01T00:00:00Z' })
  await ws.sql.command({ query: 'CREATE TABLE load_figure (value Float64) ENGINE = Memory' })
}, 60_000)

afterAll(async () => {
  await ws?.close()
})

const writes = (event: ApplyEvent): boolean => event.type === 'step_start' && (event.kind === 'delete' || event.kind === 'job')

async function setLoad(value: number): Promise<void> {
  await ws.sql.command({ query: 'TRUNCATE TABLE load_figure' })
  await ws.sql.insert({ table: 'load_figure', values: [{ value }], format: 'JSONEachRow' })
}

describe('throttle on a real table of the embedded engine', () => {
  it('starts no delete or job while the custom check is over its limit, and goes on by itself once it is back under', { timeout: 60_000 }, async () => {
    await setLoad(0)
    ws.writePlan(
      relabelPlan({
        customers: ['alaska-air', 'acme'],
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-03T00:00:00Z',
        extra: 'throttle:\n  interval: 5s\n  checks:\n    - { name: load, sql: "SELECT max(value) FROM load_figure", max: 10 }\n',
      }).replace('name: relabel-test', 'name: throttled'),
    )
    const clock = new FakeClock(Date.now())
    let overWhileThrottled = 0
    const outcome = await ws.apply({}, { clock, concurrency: 1 }, process.env, [
      async (event) => {
        // The first job's end makes the cluster busy; the next start finds it over the limit.
        if (event.type === 'step_done' && event.address === 'local/alaska-air/2026-01-01/job') await setLoad(50)
        if (event.type === 'throttled') {
          // Held until the test moves the clock past one interval, with the load back down.
          void (async () => {
            await waitFor(() => clock.sleepers > 1, { what: 'a step waiting on the throttle besides the pause watch' })
            overWhileThrottled = Number((await ws.rows<{ v: number }>('SELECT max(value) AS v FROM load_figure'))[0]?.v)
            await setLoad(2)
            clock.advance(5_000)
          })()
        }
      },
    ])
    expect(outcome.kind).toBe('applied')
    if (outcome.kind !== 'applied') return
    expect(outcome.result).toMatchObject({ failed: 0, skipped: 0, interrupted: false })
    const events = outcome.events
    const throttledAt = events.findIndex((event) => event.type === 'throttled')
    const unthrottledAt = events.findIndex((event) => event.type === 'unthrottled')
    expect(events[throttledAt]).toMatchObject({ type: 'throttled', cluster: 'local', check: 'load', value: 50, limit: 10 })
    expect(overWhileThrottled).toBe(50)
    expect(unthrottledAt).toBeGreaterThan(throttledAt)
    expect(events.slice(throttledAt, unthrottledAt).filter(writes)).toEqual([])
    // Every delete and job ran in the end, and once each.
    expect(events.filter(writes)).toHaveLength(2 + 4)
    expect(events.filter((event) => event.type === 'throttled')).toHaveLength(1)
  })
})

describe('schedule', () => {
  const plan = (name: string): string =>
    relabelPlan({ customers: ['alaska-air'], start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z', extra: 'schedule:\n  timezone: America/Los_Angeles\n  windows: ["Mon-Fri 22:00-06:00"]\n' }).replace(
      'name: relabel-test',
      `name: ${name}`,
    )

  it('outside the window starts no delete or job, says when the window opens, and starts them when it opens', { timeout: 60_000 }, async () => {
    ws.writePlan(plan('scheduled'))
    // Monday 18:48 in Los Angeles: the window opens in 3h12m.
    const clock = new FakeClock('2026-01-13T02:48:00Z')
    const lines: string[] = []
    const view = new LineProgressView({ write: (text) => void lines.push(text) }, { color: false, clock: () => clock.now(), every: () => () => {} })
    const outcome = await ws.apply({}, { clock }, process.env, [
      (event) => {
        view.onEvent(event)
        if (event.type === 'waiting_for_window') {
          void (async () => {
            await waitFor(() => clock.sleepers > 1, { what: 'the delete waiting for the window besides the pause watch' })
            clock.set(event.opensAt)
          })()
        }
      },
    ])
    expect(outcome.kind).toBe('applied')
    if (outcome.kind !== 'applied') return
    expect(outcome.result).toMatchObject({ failed: 0, interrupted: false })
    const types = outcome.events.map((event) => event.type)
    expect(outcome.events.find((event) => event.type === 'waiting_for_window')).toMatchObject({ opensAt: '2026-01-13T06:00:00.000Z', window: 'Mon-Fri 22:00-06:00', timezone: 'America/Los_Angeles' })
    expect(lines.join('')).toContain('Waiting for the window Mon-Fri 22:00-06:00 America/Los_Angeles, opens in 3h12m (2026-01-13T06:00:00.000Z); deletes and jobs wait, verifies go on.\n')
    // The cluster check ran before; no delete or job started until the window opened.
    expect(types.indexOf('window_open')).toBeGreaterThan(types.indexOf('waiting_for_window'))
    expect(outcome.events.slice(0, types.indexOf('window_open')).filter(writes)).toEqual([])
    expect(outcome.events.filter((event) => event.type === 'step_start' && event.kind === 'check')).toHaveLength(1)
    expect(types.filter((type) => type === 'waiting_for_window')).toHaveLength(1)
  })

  it('--ignore-schedule starts at once; a stop releases steps waiting for the window', { timeout: 60_000 }, async () => {
    ws.writePlan(plan('ignored'))
    const ignored = await ws.apply({}, { clock: new FakeClock('2026-01-13T02:48:00Z'), ignoreSchedule: true })
    expect(ignored.kind === 'applied' && ignored.result).toMatchObject({ failed: 0, interrupted: false })
    expect(ignored.events.map((event) => event.type)).not.toContain('waiting_for_window')

    ws.writePlan(plan('stopped'))
    const stop = new AbortController()
    const stopped = await ws.apply({}, { clock: new FakeClock('2026-01-13T02:48:00Z') }, process.env, [(event) => void (event.type === 'waiting_for_window' && stop.abort())], stop.signal)
    expect(stopped.kind === 'applied' && stopped.result).toMatchObject({ interrupted: true, failed: 0 })
    expect(stopped.events.filter(writes)).toEqual([])
  })
})

describe('bf plan on a plan with a schedule, load checks and a pause', () => {
  it('says whether the window is open, each check\'s value now, a check that cannot run as a warning, and who paused', { timeout: 60_000 }, async () => {
    await setLoad(3)
    ws.writePlan(
      relabelPlan({
        customers: ['alaska-air'],
        extra: [
          'schedule:',
          '  timezone: America/Los_Angeles',
          '  windows: ["Mon-Fri 22:00-06:00"]',
          'throttle:',
          '  partsPerPartition: 1000',
          '  checks:',
          '    - { name: load, sql: "SELECT max(value) FROM load_figure", max: 2 }',
          '    - { name: gone, sql: "SELECT count() FROM no_such_table", max: 1 }',
          '',
        ].join('\n'),
      }).replace('name: relabel-test', 'name: shown'),
    )
    const spec = await ws.load()
    const engine = await openEngine(spec)
    try {
      await engine.deps.state.pause({ who: 'ana', host: 'laptop', pid: 4242, reason: 'incident 42', since: '2026-01-13T02:00:00.000Z' })
      const now = Date.parse('2026-01-13T02:48:00Z')
      const operations = await planOperations(spec, engine.deps, { refresh: true, now })
      const computed = await computePlan(spec, engine.deps, ALL)
      const plan = { ...computed, warnings: [...computed.warnings, ...operationWarnings(operations)] }
      const human = renderPlanHuman(plan, { color: false, showSql: false, operations, now })
      expect(human).toContain('\nPaused: paused by ana@laptop (pid 4242) since 2026-01-13T02:00:00.000Z: incident 42. bf apply starts no step until bf resume.\n')
      expect(human).toContain('\nSchedule: closed now; deletes and jobs wait for the window Mon-Fri 22:00-06:00 America/Los_Angeles, opens in 3h12m at 2026-01-13T06:00:00Z.\n')
      expect(human).toMatch(/\nLoad on local: partsPerPartition \d+ ≤ 1000, load 3 > 2, gone cannot run \(limit 1\); over a limit: apply would wait\.\n/)
      expect(human).toMatch(/\nWarning: \[load-check-unavailable\] local: the load check gone cannot run, so it will not hold steps: .*no_such_table.* \(fix the check or remove it from throttle\)\n/)

      const json = JSON.parse([...planJsonChunks(plan, operations)].join('')) as Record<string, unknown>
      const schema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8')) as object
      const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)
      expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
      expect(json.pause).toEqual({ by: 'ana@laptop (pid 4242)', reason: 'incident 42', since: '2026-01-13T02:00:00.000Z' })
      expect(json.schedule).toEqual({ open: false, next_open: '2026-01-13T06:00:00Z', window: 'Mon-Fri 22:00-06:00', timezone: 'America/Los_Angeles' })
      expect(json.throttle).toMatchObject([
        {
          cluster: 'local',
          checks: [
            { name: 'partsPerPartition', limit: 1000, over: false },
            { name: 'load', value: 3, limit: 2, over: true },
            { name: 'gone', value: null, limit: 1, over: false, error: expect.stringMatching(/no_such_table/) as unknown },
          ],
        },
      ])
      expect(await engine.deps.state.resume()).toMatchObject({ who: 'ana', reason: 'incident 42' })
      expect((await planOperations(spec, engine.deps, { refresh: false, now: Date.parse('2026-01-13T07:00:00Z') }))).toEqual({
        schedule: { open: true, timezone: 'America/Los_Angeles', window: 'Mon-Fri 22:00-06:00', closesAt: Date.parse('2026-01-13T14:00:00Z'), nextOpen: Date.parse('2026-01-14T06:00:00Z') },
      })
    } finally {
      await engine.close()
    }
  })
})

