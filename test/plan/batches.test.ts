import { describe, expect, it } from 'vitest'
import { batchCount, batchesOf, batchLabel, SharedBatches, unitCount, unitsOf } from '../../src/plan/batches.js'
import { loadPlan } from '../../src/plan/load.js'
import type { BatchGrid } from '../../src/plan/model.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const at = (iso: string) => Date.parse(iso)
const dayGrid: BatchGrid = { origin: at('2026-01-01T00:00:00Z'), stepMs: DAY, text: '1d' }
const sixHours: BatchGrid = { origin: at('2026-03-01T00:00:00Z'), stepMs: 6 * HOUR, text: '6h' }

describe('batches', () => {
  it('clips the first and last batch of a range that is off the grid', () => {
    const window = { start: at('2026-01-03T12:00:00Z'), end: at('2026-01-05T06:00:00Z') }
    expect([...batchesOf(window, dayGrid)]).toEqual([
      { start: at('2026-01-03T12:00:00Z'), end: at('2026-01-04T00:00:00Z'), label: '2026-01-03' },
      { start: at('2026-01-04T00:00:00Z'), end: at('2026-01-05T00:00:00Z'), label: '2026-01-04' },
      { start: at('2026-01-05T00:00:00Z'), end: at('2026-01-05T06:00:00Z'), label: '2026-01-05' },
    ])
    expect(batchCount(window, dayGrid)).toBe(3)
  })

  it('labels sub-day batches by hour, and day batches off midnight too', () => {
    expect([...batchesOf({ start: at('2026-03-01T09:30:00Z'), end: at('2026-03-01T14:00:00Z') }, sixHours)].map((b) => b.label)).toEqual([
      '2026-03-01T06',
      '2026-03-01T12',
    ])
    const offMidnight: BatchGrid = { origin: at('2026-01-01T06:00:00Z'), stepMs: DAY, text: '1d' }
    expect(batchLabel(at('2026-01-02T06:00:00Z'), offMidnight)).toBe('2026-01-02T06')
  })

  it('yields newest first in backward order', () => {
    const window = { start: at('2026-01-01T00:00:00Z'), end: at('2026-01-04T00:00:00Z') }
    expect([...batchesOf(window, dayGrid, 'backward')].map((b) => b.label)).toEqual(['2026-01-03', '2026-01-02', '2026-01-01'])
  })

  it('cuts a range before the plan\'s start on the same grid', () => {
    const window = { start: at('2025-12-30T00:00:00Z'), end: at('2026-01-01T12:00:00Z') }
    expect([...batchesOf(window, dayGrid)].map((b) => b.label)).toEqual(['2025-12-30', '2025-12-31', '2026-01-01'])
  })

  it('hands out one batch object per whole batch of a computation, and never a whole one for a clipped one', () => {
    const shared = new SharedBatches()
    const whole = [...batchesOf({ start: at('2026-01-01T00:00:00Z'), end: at('2026-01-03T00:00:00Z') }, dayGrid, 'forward', shared)]
    const again = [...batchesOf({ start: at('2026-01-01T00:00:00Z'), end: at('2026-01-03T00:00:00Z') }, dayGrid, 'forward', shared)]
    expect(again[0]).toBe(whole[0])
    // Nothing outlives the computation: another one makes its own batches.
    expect([...batchesOf({ start: at('2026-01-01T00:00:00Z'), end: at('2026-01-03T00:00:00Z') }, dayGrid)][0]).not.toBe(whole[0])
    const clipped = [...batchesOf({ start: at('2026-01-01T00:00:00Z'), end: at('2026-01-02T06:00:00Z') }, dayGrid, 'forward', shared)]
    expect(clipped[1]).toEqual({ start: at('2026-01-02T00:00:00Z'), end: at('2026-01-02T06:00:00Z'), label: '2026-01-02' })
    expect([...batchesOf({ start: at('2026-01-02T00:00:00Z'), end: at('2026-01-02T06:00:00Z') }, sixHours)]).toEqual([
      { start: at('2026-01-02T00:00:00Z'), end: at('2026-01-02T06:00:00Z'), label: '2026-01-02T00' },
    ])
  })

  it('has no batch in an empty range', () => {
    const empty = { start: at('2026-01-02T00:00:00Z'), end: at('2026-01-02T00:00:00Z') }
    expect([...batchesOf(empty, dayGrid)]).toEqual([])
    expect(batchCount(empty, dayGrid)).toBe(0)
  })
})

describe('units of a loaded plan', () => {
  it('takes each customer\'s range from the customer, then the cluster, then the plan', async () => {
    const { spec } = await loadPlan('test/fixtures/valid/kubernetes-two-clusters.yaml')
    const addresses = [...unitsOf(spec)].map((unit) => unit.address)
    const of = (prefix: string) => addresses.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length))
    // plan window
    expect(of('us-east-1-prod/alaska-air/')).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07'])
    // cluster window: start from the cluster, end from the plan
    expect(of('eu-west-1-prod/lufthansa/')).toEqual(['2026-01-05', '2026-01-06', '2026-01-07'])
    // customer window, clipped on the plan's grid, beyond the plan's end
    expect(of('eu-west-1-prod/delta/')).toEqual(['2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09'])
    const firstDelta = [...unitsOf(spec)].find((unit) => unit.address === 'eu-west-1-prod/delta/2026-01-03')
    expect(firstDelta?.batch).toEqual({ start: at('2026-01-03T12:00:00Z'), end: at('2026-01-04T00:00:00Z'), label: '2026-01-03' })
    expect(unitCount(spec)).toBe(addresses.length)
  })

  it('runs sub-day batches backward, a customer\'s own end with its cluster\'s start', async () => {
    const { spec } = await loadPlan('test/fixtures/valid/sql-job.yaml')
    const units = [...unitsOf(spec)]
    expect(units.filter((u) => u.customer === 'globex').map((u) => [u.address, u.batch.start, u.batch.end])).toEqual([
      ['local/globex/2026-03-01T12', at('2026-03-01T12:00:00Z'), at('2026-03-01T14:00:00Z')],
      ['local/globex/2026-03-01T06', at('2026-03-01T09:30:00Z'), at('2026-03-01T12:00:00Z')],
    ])
    expect(units.filter((u) => u.customer === 'acme').map((u) => u.batch.label)).toEqual([
      '2026-03-02T18',
      '2026-03-02T12',
      '2026-03-02T06',
      '2026-03-02T00',
      '2026-03-01T18',
      '2026-03-01T12',
      '2026-03-01T06',
    ])
    expect(unitCount(spec)).toBe(units.length)
  })

  it('percent-encodes a customer id holding "/" in its address', async () => {
    const { spec } = await loadPlan('test/fixtures/valid/command-job.yaml')
    expect([...unitsOf(spec)].map((unit) => unit.address)).toContain('2/weird%2Fid%25/2026-01-01')
  })
})
