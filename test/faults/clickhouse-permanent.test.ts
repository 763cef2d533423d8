import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { clickhouseError, onSql } from '../support/clickhouse-http-faults.js'
import { correct, figures, httpPlan, openFaultWorkspace, sent } from './fault-workspace.js'
import type { FaultRun, FaultWorkspace } from './fault-workspace.js'
import { waitFor } from '../support/wait-for.js'

let ws: FaultWorkspace
let plans = 0

beforeAll(async () => {
  ws = await openFaultWorkspace()
})
afterAll(async () => {
  await ws?.close()
})
beforeEach(async () => {
  ws.proxy.reset()
  ws.server.credentials = undefined
  await ws.seed({ customers: 2, days: 3, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
})

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The one line a failed step prints, naming the step, the server and the cause. */
function expectFailureLine(run: FaultRun, address: string, cause: RegExp): void {
  const lines = run.failureLines.filter((line) => line.startsWith(`✗ ${address} failed: `))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^✗ ${escaped(address)} failed: .*${cause.source}`))
  expect(lines[0]).toContain(`(${ws.proxy.endpoint})`)
  // A step's failure is one line: nothing printed below it.
  const index = run.failureLines.indexOf(lines[0] ?? '')
  expect(run.failureLines[index + 1] ?? '✗ ').toMatch(/^✗ /)
}

function statusOf(run: FaultRun, address: string): string | undefined {
  const done = run.events.find((event) => event.type === 'step_done' && event.address === address)
  return done?.type === 'step_done' ? done.status : undefined
}

async function mutationsDone(customer: string): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await ws.rows<{ pending: string }>(
        "SELECT count() AS pending FROM system.mutations WHERE table = 'conversation_with_labels' AND position(command, {customer:String}) > 0 AND is_done = 0",
        { customer: `'${customer}'` },
      )
      return Number(row?.pending) === 0
    },
    { what: `the mutation of ${customer} to finish`, intervalMs: 20 },
  )
}

async function expectHealed(): Promise<void> {
  ws.proxy.clear()
  const run = await ws.apply()
  expect(run.failureLines).toEqual([])
  expect(run.kind === 'applied' && run.result).toMatchObject({ failed: 0, skipped: 0 })
  const live = await figures(ws, 'assisted')
  expect(live).toEqual(correct(live.truth))
  expect((await ws.plan()).steps).toEqual([])
}

describe('a permanent ClickHouse error fails the step clearly; state stays valid and the next apply finishes', () => {
  it('a missing grant refuses the DELETE of one customer: its steps are skipped, the other customer completes', async () => {
    ws.writePlan(httpPlan(`permanent-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'] }))
    const denied = ws.proxy.inject({
      match: onSql(/^ALTER TABLE/, { customer: 'acme' }),
      fault: clickhouseError(497, 'ACCESS_DENIED', 'bf: Not enough privileges. To execute this query, it is necessary to have the grant ALTER DELETE ON default.conversation_with_labels'),
      times: Infinity,
    })
    const run = await ws.apply()
    expect(run.kind === 'applied' && run.result).toMatchObject({ failed: 1 })
    expect(denied.hits).toBe(1)
    expectFailureLine(run, 'local/acme/delete', /deleting rows of customer "acme" .*ClickHouse error 497 ACCESS_DENIED: .*grant ALTER DELETE/)
    expect(run.retries.filter((notice) => notice.error.code === 497)).toEqual([])
    expect(statusOf(run, 'local/acme/await-mutation')).toBe('skipped')
    expect(statusOf(run, 'local/acme/2026-01-02/job')).toBe('skipped')
    expect(statusOf(run, 'local/alaska-air/2026-01-02/verify')).toBe('succeeded')

    const state = await ws.state()
    expect(state.steps.get('local/acme/delete')).toMatchObject({ status: 'failed' })
    expect(state.steps.get('local/alaska-air/2026-01-03/verify')).toMatchObject({ status: 'succeeded' })
    await expectHealed()
  })

  it('the password rotated while a mutation is awaited: the wait fails at once, and the next apply picks the same mutation up', async () => {
    ws.server.credentials = { username: 'bf', password: 'first-password' }
    const plan = httpPlan(`permanent-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'], canary: ['alaska-air'] })
    ws.writePlan(plan.replace(`url: ${ws.proxy.url}`, `url: ${ws.proxy.url}\n      username: bf\n      password: first-password`))
    ws.proxy.inject({
      match: onSql(/FROM system\.mutations[\s\S]*bf_tag > 0/),
      fault: { kind: 'pass' },
      onHit: () => {
        ws.server.credentials = { username: 'bf', password: 'rotated-password' }
      },
    })
    const run = await ws.apply()
    expect(run.kind === 'applied' && run.result).toMatchObject({ failed: 1 })
    expectFailureLine(run, 'local/alaska-air/await-mutation', /looking up the mutation of customer "alaska-air" .*ClickHouse error 516 AUTHENTICATION_FAILED: .*\(check clickhouse.username and clickhouse.password\)/)
    expect(run.failureLines.join('\n')).not.toContain('first-password')
    expect(run.retries.filter((notice) => notice.error.code === 516)).toEqual([])
    expect(statusOf(run, 'local/acme/delete')).toBe('skipped')
    expect((await ws.state()).steps.get('local/alaska-air/await-mutation')).toMatchObject({ status: 'failed' })

    ws.server.credentials = { username: 'bf', password: 'first-password' }
    // Once the mutation is done, the next apply resumes the wait (while rows are still live, it plans the delete again).
    await mutationsDone('alaska-air')
    await expectHealed()
    // The delete was not sent again: the resumed wait found the mutation the first apply made.
    expect(sent(ws, /^ALTER TABLE/, { customer: 'alaska-air' })).toHaveLength(1)
  })

  it('the target table dropped mid-apply: the INSERT fails naming the table; once it is back, the next apply re-runs what it lost', async () => {
    ws.writePlan(httpPlan(`permanent-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'], canary: ['alaska-air'] }))
    const [ddl] = await ws.rows<{ statement: string }>('SHOW CREATE TABLE conversation_with_labels')
    ws.proxy.inject({
      match: onSql(/^INSERT/, { customer: 'acme' }),
      fault: { kind: 'pass' },
      onHit: async () => {
        await ws.sql.command({ query: 'DROP TABLE conversation_with_labels' })
      },
    })
    const run = await ws.apply()
    expect(run.kind === 'applied' && run.result && run.result.failed).toBeGreaterThanOrEqual(1)
    const failed = run.events.flatMap((event) => (event.type === 'step_done' && event.status === 'failed' ? [event.address] : []))
    expect(failed.every((address) => /^local\/acme\/2026-01-0[123]\/job$/.test(address))).toBe(true)
    expectFailureLine(run, failed[0] ?? '', /running INSERT bf-.*ClickHouse error 60 UNKNOWN_TABLE: .*\(check the table names of the plan/)
    for (const address of failed) expect(statusOf(run, address.replace(/job$/, 'verify'))).toBe('skipped')
    expect((await ws.state()).steps.get(failed[0] ?? '')).toMatchObject({ status: 'failed' })

    await ws.sql.command({ query: ddl?.statement ?? '' })
    await expectHealed()
  })
})
