import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { Engine } from '../../src/cli/engine-wiring.js'
import { applyPlan } from '../../src/engine/apply.js'
import type { ApplyResult } from '../../src/engine/executor.js'
import { verifyAll } from '../../src/engine/verify-all.js'
import type { VerifyReport } from '../../src/engine/verify-model.js'
import type { PlanSpec } from '../../src/plan/model.js'
import type { StepRecord } from '../../src/state/model.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { countingChdb } from '../support/counting-chdb.js'
import type { SentQueries } from '../support/counting-chdb.js'
import { ALL, openWorkspace, relabelPlan, testApplyRequest } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

const CUSTOMERS = ['alaska-air', 'acme', 'globex']
const DAYS = 20
const UNITS = CUSTOMERS.length * DAYS
/** The one unit whose job leaves out about half of its conversations. */
const SHORT_UNIT = 'local/acme/2026-01-07'

/** A figures query of a verify: counted per customer and batch, only the units' own cells. */
const isVerifyFigures = (sql: string): boolean => sql.includes('GROUP BY bf_customer, bf_cell') && sql.includes('{cells:Array(Int64)}')

interface Truth {
  rows: number
  keys: number
  expected: number
}

let ws: EmbeddedWorkspace
let spec: PlanSpec
let engine: Engine
const sent: SentQueries = { texts: [] }
let result: ApplyResult
let verifies: StepRecord[]
let applyVerifyQueries: number
let report: VerifyReport
let commandVerifyQueries: number

/** Rows, keys and expected keys of every unit, counted by the test itself. */
async function truth(): Promise<Map<string, Truth>> {
  const target = await ws.rows<{ customer: string; day: string; rows: string; keys: string }>(
    `SELECT customer_id AS customer, toString(toDate(conversation_end_time)) AS day, count() AS rows, uniqExact(conversation_id) AS keys
     FROM conversation_with_labels FINAL WHERE conversation_end_time >= '2026-01-01' AND conversation_end_time < '2026-01-21' GROUP BY customer, day`,
  )
  const source = await ws.rows<{ customer: string; day: string; keys: string }>(
    `SELECT customer_id AS customer, toString(toDate(ended_at)) AS day, uniqExact(conversation_id) AS keys
     FROM conversation_d WHERE ended_at >= '2026-01-01' AND ended_at < '2026-01-21' GROUP BY customer, day`,
  )
  const units = new Map<string, Truth>()
  for (const row of source) units.set(`local/${row.customer}/${row.day}`, { rows: 0, keys: 0, expected: Number(row.keys) })
  for (const row of target) {
    const unit = units.get(`local/${row.customer}/${row.day}`)
    if (unit) Object.assign(unit, { rows: Number(row.rows), keys: Number(row.keys) })
  }
  return units
}

// One apply and one `bf verify` on one engine, shared by every test of the file.
beforeAll(async () => {
  ws = openWorkspace()
  await ws.seed({ customers: CUSTOMERS.length, days: DAYS, conversationsPerDay: 20, start: '2026-01-01T00:00:00Z' })
  const short = "AND NOT (customer_id = 'acme' AND toDate(ended_at) = '2026-01-07' AND cityHash64(conversation_id) % 2 = 0)"
  ws.writePlan(relabelPlan({ customers: CUSTOMERS, end: '2026-01-21T00:00:00Z' }).replace('AND ended_at < {end:DateTime}', `AND ended_at < {end:DateTime} ${short}`))
  spec = await ws.load()
  engine = await openEngine(spec)
  // The engine's own deps, but every warehouse query goes through a connection that writes it down.
  const counted = openWarehouse(spec.clusters[0]!, { importer: countingChdb(sent) })
  const deps = { ...engine.deps, warehouse: () => counted }
  const outcome = await applyPlan(testApplyRequest(spec, deps, { kind: 'plan', options: ALL }))
  if (outcome.kind !== 'applied') throw new Error(`the apply did not run: ${outcome.kind}`)
  result = outcome.result
  applyVerifyQueries = sent.texts.filter(isVerifyFigures).length
  const state = await engine.deps.state.read()
  verifies = [...state.steps.values()].filter((record) => record.kind === 'verify')

  sent.texts.length = 0
  report = await verifyAll(spec, deps, { targets: [], excludes: [] })
  commandVerifyQueries = sent.texts.filter(isVerifyFigures).length
}, 60_000)

afterAll(async () => {
  await engine?.close()
  await ws?.close()
})

describe('grouped verification on the embedded engine', () => {
  it('verifies every unit of an apply with far fewer figures queries than units', () => {
    expect(verifies).toHaveLength(UNITS)
    // Per unit it was two (target and expected source): 120 here.
    expect(applyVerifyQueries).toBeGreaterThan(0)
    expect(applyVerifyQueries).toBeLessThanOrEqual(8)
  })

  it('records each unit its own figures, as the unit alone counts them', async () => {
    const units = await truth()
    expect(units.size).toBe(UNITS)
    for (const record of verifies) {
      const unit = record.address.replace(/\/verify$/, '')
      const own = units.get(unit)
      expect(own, unit).toBeDefined()
      expect(record.outputs, unit).toMatchObject({ rows: own!.rows, keys: own!.keys, expected: own!.expected, duplicates: own!.rows - own!.keys })
    }
    // The units differ: the same figures handed to every unit would not pass the loop above.
    expect(new Set(verifies.map((record) => record.outputs?.keys)).size).toBeGreaterThan(1)
  })

  it('fails the one short unit alone, among passing units of the same group', () => {
    const failed = verifies.filter((record) => record.status === 'failed')
    expect(failed.map((record) => record.address)).toEqual([`${SHORT_UNIT}/verify`])
    expect(failed[0]?.error).toMatch(/^ratio: saw 0\.\d+, expected between 0\.99 and 1\.01/)
    expect(verifies.filter((record) => record.status === 'succeeded')).toHaveLength(UNITS - 1)
    expect(result).toMatchObject({ failed: 1, skipped: 0 })
  })

  it('groups bf verify the same way, at most 50 units a query, with the same verdicts', () => {
    expect(report.units).toBe(UNITS)
    expect(report.failed.map((unit) => unit.address)).toEqual([SHORT_UNIT])
    // Two tables (target, expected source) × ⌈60 / 50⌉ groups.
    expect(commandVerifyQueries).toBe(2 * Math.ceil(UNITS / 50))
    const failedRecord = verifies.find((record) => record.status === 'failed')
    expect(report.failed[0]).toMatchObject({ rows: failedRecord?.outputs?.rows, keys: failedRecord?.outputs?.keys, expected: failedRecord?.outputs?.expected })
  })
})
