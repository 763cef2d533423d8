import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { onSql } from '../support/clickhouse-http-faults.js'
import { correct, figures, httpPlan, openFaultWorkspace, sent } from './fault-workspace.js'
import type { FaultRun, FaultWorkspace } from './fault-workspace.js'

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
  await ws.seed({ customers: 2, days: 3, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
})

function expectCompleted(run: FaultRun): void {
  expect(run.failureLines).toEqual([])
  expect(run.kind).toBe('applied')
  if (run.kind === 'applied') expect(run.result).toMatchObject({ failed: 0, skipped: 0, interrupted: false })
}

function stepOutputs(run: FaultRun, address: string): Record<string, unknown> | undefined {
  const done = run.events.find((event) => event.type === 'step_done' && event.address === address)
  return done?.type === 'step_done' ? done.outputs : undefined
}

describe('a statement that ran but whose answer never came is looked up, never sent blindly again', () => {
  it('a DELETE the server ran, answered after the request timeout: the step finds its mutation; exactly one mutation exists', async () => {
    ws.writePlan(httpPlan(`uncertain-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'] }))
    const late = ws.proxy.inject({ match: onSql(/^ALTER TABLE/, { customer: 'acme' }), fault: { kind: 'hang', forward: true } })
    const run = await ws.apply()
    expectCompleted(run)
    expect(late.hits).toBe(1)
    // `adopted`: the submission failed (no answer before the request timeout) and the lookup found the mutation.
    expect(stepOutputs(run, 'local/acme/delete')).toMatchObject({ adopted: true })
    expect(sent(ws, /^ALTER TABLE/, { customer: 'acme' })).toHaveLength(1)
    const mutations = await ws.rows<{ command: string }>(
      "SELECT command FROM system.mutations WHERE database = 'default' AND table = 'conversation_with_labels' AND position(command, '\\'acme\\'') > 0",
    )
    expect(mutations).toHaveLength(1)
    const live = await figures(ws, 'assisted')
    expect(live).toEqual(correct(live.truth))
  })

  it('an INSERT whose answer was lost after it ran: sent again under the same query id and token, and deduplicated', async () => {
    // A MergeTree keeping recent insert tokens: a block sent twice under one token is written once.
    await ws.sql.command({ query: 'CREATE TABLE conversation_with_labels_dedup AS conversation_with_labels ENGINE = MergeTree PARTITION BY toYYYYMM(conversation_end_time) ORDER BY (customer_id, conversation_id) SETTINGS non_replicated_deduplication_window = 1000' })
    await ws.sql.command({ query: 'INSERT INTO conversation_with_labels_dedup SELECT * FROM conversation_with_labels' })
    await ws.sql.command({ query: 'DROP TABLE conversation_with_labels' })
    await ws.sql.command({ query: 'RENAME TABLE conversation_with_labels_dedup TO conversation_with_labels' })
    ws.writePlan(httpPlan(`uncertain-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'] }))
    const lost = ws.proxy.inject({ match: onSql(/^INSERT/, { customer: 'acme' }), fault: { kind: 'lose-response' } })

    const run = await ws.apply()
    expectCompleted(run)
    expect(lost.hits).toBe(1)
    const first = sent(ws, /^INSERT/, { customer: 'acme' }).find((statement) => statement.fault === 'lose-response')
    const sends = sent(ws, /^INSERT/).filter((statement) => statement.queryId === first?.queryId)
    expect(sends.map((statement) => statement.settings.insert_deduplication_token)).toEqual([first?.settings.insert_deduplication_token, first?.settings.insert_deduplication_token])
    // Both reached the server and ran.
    expect(ws.server.served.filter((statement) => statement.queryId === first?.queryId && statement.error === undefined)).toHaveLength(2)
    // Counted without FINAL: a second copy of any row would show.
    const live = await figures(ws, 'assisted')
    expect(live).toEqual(correct(live.truth))
    expect((await ws.plan()).steps).toEqual([])
  })
})
