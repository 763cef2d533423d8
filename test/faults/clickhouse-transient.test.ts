import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { clickhouseError, errorPage, onSql } from '../support/clickhouse-http-faults.js'
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
  ws.onRetry = undefined
  await ws.seed({ customers: 2, days: 3, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
  ws.writePlan(httpPlan(`transient-${++plans}`, ws.proxy.url, { customers: ['alaska-air', 'acme'] }))
})

function expectCompleted(run: FaultRun): void {
  expect(run.failureLines).toEqual([])
  expect(run.kind).toBe('applied')
  if (run.kind === 'applied') expect(run.result).toMatchObject({ failed: 0, skipped: 0, interrupted: false })
}

async function expectCorrectData(): Promise<void> {
  const live = await figures(ws, 'assisted')
  expect(live).toEqual(correct(live.truth))
  expect(live.truth).toBeGreaterThan(0)
  expect((await ws.plan()).steps).toEqual([])
}

describe('transient ClickHouse faults are retried and the apply completes with correct data', () => {
  it('connection refused twice, then the server is back', async () => {
    await ws.proxy.refuseConnections()
    let refused = 0
    ws.onRetry = (notice) => {
      if (/connection refused/.test(notice.error.message) && ++refused === 2) void ws.proxy.acceptConnections()
    }
    const run = await ws.apply()
    expectCompleted(run)
    expect(refused).toBeGreaterThanOrEqual(2)
    expect(run.retries[0]?.error.message).toMatch(/failed on cluster local \(127\.0\.0\.1:\d+\): connection refused/)
    await expectCorrectData()
  })

  it('connections reset mid-response on a refresh query and while polling system.mutations', async () => {
    const refresh = ws.proxy.inject({ match: onSql(/uniqExact/), fault: { kind: 'reset-mid-response' }, times: 2 })
    const polling = ws.proxy.inject({ match: onSql(/FROM system\.mutations[\s\S]*bf_tag > 0/), fault: { kind: 'reset-mid-response' }, times: 2 })
    const run = await ws.apply()
    expectCompleted(run)
    expect(refresh.hits).toBe(2)
    expect(polling.hits).toBe(2)
    const lost = run.retries.filter((notice) => /connection lost/.test(notice.error.message))
    expect(lost.some((notice) => /^counting rows of default\.conversation_with_labels/.test(notice.error.message))).toBe(true)
    expect(lost.some((notice) => /^looking up the mutation of customer/.test(notice.error.message))).toBe(true)
    await expectCorrectData()
  })

  it('a burst of 5xx error pages from a proxy in front of ClickHouse', async () => {
    const pages = [
      ws.proxy.inject({ match: onSql(/^SELECT/), fault: errorPage(503), times: 2 }),
      ws.proxy.inject({ match: onSql(/^SELECT/), fault: errorPage(502), times: 1 }),
      ws.proxy.inject({
        match: onSql(/^SELECT/),
        fault: { kind: 'answer', status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure' },
        times: 1,
      }),
    ]
    const run = await ws.apply()
    expectCompleted(run)
    expect(pages.map((page) => page.hits)).toEqual([2, 1, 1])
    const messages = run.retries.map((notice) => notice.error.message)
    expect(messages.filter((message) => message.includes('the server answered with an HTTP error page, not ClickHouse: 503 Service Unavailable'))).toHaveLength(2)
    expect(messages.some((message) => message.includes('upstream connect error'))).toBe(true)
    expect(messages.every((message) => !message.includes('<html>'))).toBe(true)
    await expectCorrectData()
  })

  it('ClickHouse errors it marks retryable: too many queries and a server short of memory on reads, too many parts on an INSERT', async () => {
    ws.proxy.inject({ match: onSql(/^SELECT/), fault: clickhouseError(202, 'TOO_MANY_SIMULTANEOUS_QUERIES', 'Too many simultaneous queries. Maximum: 100'), times: 2 })
    ws.proxy.inject({
      match: onSql(/uniqExact/),
      fault: clickhouseError(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded: would use 28.00 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 28.00 GiB'),
      times: 1,
    })
    const parts = ws.proxy.inject({ match: onSql(/^INSERT/, { customer: 'acme' }), fault: clickhouseError(252, 'TOO_MANY_PARTS', 'Too many parts (3001). Merges are processing significantly slower than inserts'), times: 1 })
    const run = await ws.apply()
    expectCompleted(run)
    expect(parts.hits).toBe(1)
    expect(run.retries.map((notice) => notice.error.code)).toEqual(expect.arrayContaining([202, 202, 241, 252]))
    // The refused INSERT went again under the same query id and token: ClickHouse had refused it before running it.
    const refused = sent(ws, /^INSERT/, { customer: 'acme' }).find((statement) => statement.fault === 'answer')
    const again = sent(ws, /^INSERT/, { customer: 'acme' }).filter((statement) => statement.queryId === refused?.queryId)
    expect(again.map((statement) => [statement.fault, statement.settings.insert_deduplication_token])).toEqual([
      ['answer', refused?.settings.insert_deduplication_token],
      [undefined, refused?.settings.insert_deduplication_token],
    ])
    await expectCorrectData()
  })
})

describe('permanent ClickHouse errors are not retried', () => {
  it('a refused login fails at once, naming the server and what to check', async () => {
    ws.server.credentials = { username: 'bf', password: 'the-right-one' }
    try {
      const error = await ws.apply().then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(
        new RegExp(`failed on cluster local \\(${ws.proxy.endpoint.replace(/\./g, '\\.')}\\): ClickHouse error 516 AUTHENTICATION_FAILED: .*\\(check clickhouse.username and clickhouse.password\\)`),
      )
      expect(ws.retries.filter((notice) => notice.error.code === 516)).toEqual([])
    } finally {
      ws.server.credentials = undefined
    }
  })
})
