import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

// Ids that would widen a delete if they were ever spliced into SQL text.
const HOSTILE = ["a' OR '1'='1", "x\\' --", 'ünï "cödé"/1', 'with space']
const BYSTANDERS = ['a', 'x', 'bystander']

let ws: EmbeddedWorkspace

interface Row {
  customer_id: string
  n: string
}

beforeAll(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: 1, days: 1, conversationsPerDay: 1, start: '2026-01-01T00:00:00Z' })
  await ws.sql.command({ query: 'TRUNCATE TABLE conversation_with_labels' })
  await ws.sql.command({ query: 'TRUNCATE TABLE conversation_d' })
  // Every customer gets rows inside the window (Jan 1–3) and on the days around it.
  for (const customer of [...HOSTILE, ...BYSTANDERS]) {
    for (const day of ['2025-12-31', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']) {
      await ws.sql.command({
        query: `INSERT INTO conversation_with_labels SELECT concat({c:String}, '-', {d:String}, '-', toString(number)), {c:String}, 'p', 'agent-old', toDateTime({d:String}) + number * 60, 'old', toDateTime('2025-12-01 00:00:00') FROM numbers(5)`,
        query_params: { c: customer, d: day },
      })
      await ws.sql.command({
        query: `INSERT INTO conversation_d SELECT concat({c:String}, '-', {d:String}, '-', toString(number)), {c:String}, 'p', 'agent-new', toDateTime({d:String}) + number * 60 FROM numbers(5)`,
        query_params: { c: customer, d: day },
      })
    }
  }
})
afterAll(async () => ws.close())

describe('deletes stay inside the plan', () => {
  it('touches only the plan customers inside the window, whatever their ids', async () => {
    const before = await ws.rows<Row>("SELECT customer_id, toString(count()) AS n FROM conversation_with_labels WHERE label = 'old' GROUP BY customer_id ORDER BY customer_id")
    ws.writePlan(relabelPlan({ customers: HOSTILE }))
    const run = await ws.apply()
    expect(run.kind === 'applied' && run.result.failed).toBe(0)

    const outside = await ws.rows<Row>(
      `SELECT customer_id, toString(count()) AS n FROM conversation_with_labels
       WHERE label = 'old' AND (customer_id IN {bystanders:Array(String)} OR conversation_end_time < '2026-01-01' OR conversation_end_time >= '2026-01-04')
       GROUP BY customer_id ORDER BY customer_id`,
      { bystanders: BYSTANDERS },
    )
    const expected = before.map((row) => ({ customer_id: row.customer_id, n: BYSTANDERS.includes(row.customer_id) ? '25' : '10' }))
    expect(outside).toEqual(expected)
    const stale = await ws.rows<Row>(
      `SELECT customer_id, toString(count()) AS n FROM conversation_with_labels
       WHERE label = 'old' AND customer_id IN {hostile:Array(String)} AND conversation_end_time >= '2026-01-01' AND conversation_end_time < '2026-01-04'
       GROUP BY customer_id`,
      { hostile: HOSTILE },
    )
    expect(stale).toEqual([])
    const relabelled = await ws.rows<Row>(
      "SELECT customer_id, toString(count()) AS n FROM conversation_with_labels WHERE label = 'assisted' GROUP BY customer_id ORDER BY customer_id",
    )
    expect(relabelled).toEqual([...HOSTILE].sort().map((customer) => ({ customer_id: customer, n: '15' })))
  })
})
