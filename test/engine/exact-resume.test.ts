import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/engine/events.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { covers } from '../../src/engine/delete-ranges.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { waitFor } from '../support/wait-for.js'

/**
 * A re-run stopped (a first Ctrl-C: nothing new starts, running steps finish) at every
 * step boundary, then finished: whatever the boundary, the plan after the stop holds only
 * what did not finish, and the two applies together run each job and each delete once,
 * and verify every job after it ran.
 */

const DAYS = ['2026-01-01', '2026-01-02']
const UNITS = DAYS.map((day) => `local/alaska-air/${day}`)
/** Step events of one step: its start, or its end. */
type Boundary = { event: 'step_start' | 'step_done'; index: number }

let ws: EmbeddedWorkspace
let version = 0

/** The plan with the job writing label `v<version>`: each version changes job.sql. */
function writeVersion(per: 'customer' | 'cluster' | 'batch'): void {
  ws.writePlan(relabelPlan({ customers: ['alaska-air'], per, end: '2026-01-03T00:00:00Z' }).replace("'assisted'", `'v${version}'`).replace('concurrency: 2', 'concurrency: 1'))
}

/** Applies, stopping as a first Ctrl-C does at the boundary. */
async function applyStoppedAt(boundary: Boundary | undefined): Promise<ApplyEvent[]> {
  const events: ApplyEvent[] = []
  const stop = new AbortController()
  let seen = 0
  const stopper = (event: ApplyEvent): void => {
    events.push(event)
    if (boundary && event.type === boundary.event && ++seen === boundary.index) stop.abort()
  }
  const applied = ws.apply({}, {}, process.env, [stopper], stop.signal)
  let ended = false
  void applied.then(
    () => (ended = true),
    () => (ended = true),
  )
  // An apply takes about half a second here: one that does not end fails with where it stopped and what it did last.
  await waitFor(() => ended, { what: () => `the apply ${boundary ? `stopped at ${JSON.stringify(boundary)}` : 'run to its end'} to end; its last events: ${lastEvents(events)}`, timeoutMs: 20_000, intervalMs: 50 })
  await applied
  return events
}

function lastEvents(events: ApplyEvent[]): string {
  return events
    .slice(-6)
    .map((event) => [event.at, event.type, 'address' in event ? event.address : '', 'message' in event ? event.message : ''].filter(Boolean).join(' '))
    .join(' | ')
}

const succeeded = (events: ApplyEvent[], kind: string): string[] =>
  events.flatMap((event) => (event.type === 'attempt_done' && event.kind === kind && event.status === 'succeeded' ? [event.address] : []))

const unitOf = (address: string): string => address.split('/').slice(0, 3).join('/')

async function labels(): Promise<{ label: string; rows: number; keys: number }[]> {
  return ws.rows("SELECT label, count() AS rows, uniqExact(conversation_id) AS keys FROM conversation_with_labels WHERE customer_id = 'alaska-air' GROUP BY label")
}

/** The units a plan's deletes cover. */
function deletedUnits(plan: ComputedPlan): string[] {
  const ranges = plan.steps.filter((step) => step.kind === 'delete').flatMap((step) => step.ranges ?? [])
  return plan.units.filter((unit) => unit.batch && covers(ranges, unit.batch)).map((unit) => unit.address)
}

async function stepCount(per: 'customer' | 'cluster' | 'batch'): Promise<number> {
  version++
  writeVersion(per)
  return (await ws.plan()).steps.length
}

beforeAll(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 1, days: 2, conversationsPerDay: 30, start: '2026-01-01T00:00:00Z' })
  writeVersion('customer')
  await applyStoppedAt(undefined)
})
afterAll(async () => ws.close())

describe.each(['customer', 'cluster', 'batch'] as const)('a re-run with delete.per: %s', (per) => {
  it('stopped at any step boundary, resumes without redoing or skipping anything', async () => {
    const steps = await stepCount(per)
    expect(steps).toBe(per === 'batch' ? 9 : 7)
    const boundaries: Boundary[] = []
    for (let index = 1; index <= steps; index++) boundaries.push({ event: 'step_start', index }, { event: 'step_done', index })

    for (const boundary of boundaries) {
      const where = `${per}, stopped at ${boundary.event} #${boundary.index}`
      version++
      writeVersion(per)
      const first = await applyStoppedAt(boundary)
      const resumed = await ws.plan()

      // Only what did not finish: no job that succeeded, no delete of a unit already deleted.
      const jobsDone = new Set(succeeded(first, 'job'))
      const deletedBefore = new Set(succeeded(first, 'delete'))
      const plannedJobs = resumed.steps.filter((step) => step.kind === 'job').map((step) => step.address)
      expect(plannedJobs.filter((address) => jobsDone.has(address)), where).toEqual([])
      if (per !== 'batch' && deletedBefore.size > 0) expect(deletedUnits(resumed), where).toEqual([])
      // Every job that finished is verified, now or by the plan.
      const verifiedAfter = new Set(succeeded(first, 'verify'))
      const plannedVerifies = new Set(resumed.steps.filter((step) => step.kind === 'verify').map((step) => step.address))
      for (const job of jobsDone) {
        const verify = job.replace(/job$/, 'verify')
        expect(verifiedAfter.has(verify) || plannedVerifies.has(verify), `${where}: ${verify}`).toBe(true)
      }

      const second = await applyStoppedAt(undefined)
      const both = [...first, ...second]
      // Each job succeeded once over the two applies; each unit's rows were deleted once.
      expect(succeeded(both, 'job').sort(), where).toEqual(UNITS.map((unit) => `${unit}/job`))
      const deletes = succeeded(both, 'delete')
      if (per === 'customer') expect(deletes, where).toEqual(['local/alaska-air/delete'])
      else if (per === 'cluster') expect(deletes, where).toEqual(['local/delete'])
      else expect(deletes.map(unitOf).sort(), where).toEqual(UNITS)
      expect(succeeded(both, 'verify').sort(), where).toEqual(UNITS.map((unit) => `${unit}/verify`))

      const done = await ws.plan()
      expect(done.summary.hasChanges, where).toBe(false)
      const live = await labels()
      expect(live.map((row) => row.label), where).toEqual([`v${version}`])
      expect(Number(live[0]?.rows), where).toBe(Number(live[0]?.keys))
    }
  })
})
