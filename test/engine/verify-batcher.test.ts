import { afterEach, describe, expect, it, vi } from 'vitest'
import { groupsOf, VerifyBatcher } from '../../src/engine/verify-batcher.js'
import type { VerifyTables } from '../../src/engine/verify-batcher.js'
import type { UnitFigures, UnitFiguresRequest, UnitWindow } from '../../src/warehouse/warehouse.js'

const DAY = 86_400_000
const tables = {
  target: { database: 'default', table: 't', readTable: 't', timeColumn: 'ts', customerColumn: 'c', keyColumns: ['id'] },
  grid: { origin: 0, stepMs: DAY },
} as unknown as VerifyTables

const unit = (customer: string, day = 0): UnitWindow => ({ customer, window: { start: day * DAY, end: (day + 1) * DAY } })

/** Figures that name their unit: rows is the day, keys the customer's length. */
const figuresOf = (one: UnitWindow): UnitFigures => ({ rows: one.window.start / DAY, keys: one.customer.length })

/** `unitFigures` of a server that answers each query only when told to. */
function heldServer() {
  const queries: { units: UnitWindow[]; answer(): void; fail(error: Error): void }[] = []
  const unitFigures = (request: UnitFiguresRequest) =>
    new Promise<UnitFigures[]>((resolve, reject) => {
      queries.push({ units: [...request.units], answer: () => resolve(request.units.map(figuresOf)), fail: reject })
    })
  return { queries, unitFigures }
}

const customersOf = (units: UnitWindow[]) => units.map((one) => one.customer)

afterEach(() => {
  vi.useRealTimers()
})

describe('VerifyBatcher', () => {
  it('holds units while the apply is busy, and sends them in one query once `cap` wait, each answered with its own figures', async () => {
    const server = heldServer()
    const batcher = new VerifyBatcher(server, tables, { cap: 3, idle: () => false, checks: 2 })
    const first = [batcher.figures(unit('a', 1)), batcher.figures(unit('bb', 2))]
    await new Promise((resolve) => setImmediate(resolve))
    expect(server.queries).toHaveLength(0)
    const third = batcher.figures(unit('ccc', 3))
    expect(server.queries).toHaveLength(1)
    expect(customersOf(server.queries[0]!.units)).toEqual(['a', 'bb', 'ccc'])
    server.queries[0]!.answer()
    expect(await Promise.all([...first, third])).toEqual([
      { rows: 1, keys: 1 },
      { rows: 2, keys: 2 },
      { rows: 3, keys: 3 },
    ])
  })

  it('sends what waits at once when the apply has nothing else under way', async () => {
    const server = heldServer()
    const batcher = new VerifyBatcher(server, tables, { cap: 50, idle: () => true, checks: 2 })
    const answers = Promise.all([batcher.figures(unit('a')), batcher.figures(unit('b'))])
    await vi.waitFor(() => expect(server.queries).toHaveLength(1))
    expect(customersOf(server.queries[0]!.units)).toEqual(['a', 'b'])
    server.queries[0]!.answer()
    expect(await answers).toHaveLength(2)
  })

  it('sends a group that never fills after the longest wait', async () => {
    vi.useFakeTimers()
    const server = heldServer()
    const batcher = new VerifyBatcher(server, tables, { cap: 50, maxWaitMs: 30_000, idle: () => false, checks: 2 })
    const answer = batcher.figures(unit('a'))
    await vi.advanceTimersByTimeAsync(29_999)
    expect(server.queries).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.queries).toHaveLength(1)
    server.queries[0]!.answer()
    expect(await answer).toEqual({ rows: 0, keys: 1 })
  })

  it('cuts a flush into groups of at most `cap`, two queries under way at a time', async () => {
    const server = heldServer()
    const batcher = new VerifyBatcher(server, tables, { cap: 2, idle: () => false, checks: 2 })
    const answers = Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((customer) => batcher.figures(unit(customer))))
    batcher.flush()
    expect(server.queries.map((query) => customersOf(query.units))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    server.queries[0]!.answer()
    await vi.waitFor(() => expect(server.queries).toHaveLength(3))
    expect(customersOf(server.queries[2]!.units)).toEqual(['e', 'f'])
    server.queries[1]!.answer()
    await vi.waitFor(() => expect(server.queries).toHaveLength(4))
    expect(customersOf(server.queries[3]!.units)).toEqual(['g'])
    server.queries[2]!.answer()
    server.queries[3]!.answer()
    expect((await answers).map((figures) => figures.keys)).toEqual([1, 1, 1, 1, 1, 1, 1])
  })

  it('fails only the units of a query that failed', async () => {
    const server = heldServer()
    const batcher = new VerifyBatcher(server, tables, { cap: 2, idle: () => false, checks: 2 })
    const answers = ['a', 'b', 'c', 'd'].map((customer) => batcher.figures(unit(customer)).then(
      (figures) => figures.keys,
      (error: Error) => error.message,
    ))
    server.queries[0]!.fail(new Error('counting rows of default.t failed'))
    server.queries[1]!.answer()
    expect(await Promise.all(answers)).toEqual(['counting rows of default.t failed', 'counting rows of default.t failed', 1, 1])
  })

  it('runs custom checks a bounded number at a time', async () => {
    const batcher = new VerifyBatcher(heldServer(), tables, { cap: 50, idle: () => false, checks: 2 })
    let running = 0
    let most = 0
    const releases: (() => void)[] = []
    const check = () =>
      batcher.checks(async () => {
        most = Math.max(most, ++running)
        await new Promise<void>((resolve) => releases.push(resolve))
        running--
      })
    const all = Promise.all([check(), check(), check(), check()])
    for (let released = 0; released < 4; released++) {
      await vi.waitFor(() => expect(releases.length).toBeGreaterThan(released))
      releases[released]!()
    }
    await all
    expect(most).toBe(2)
  })
})

describe('groupsOf', () => {
  it('cuts a list into runs of at most the size, in order', () => {
    expect(groupsOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(groupsOf([], 50)).toEqual([])
  })
})
