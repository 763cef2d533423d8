import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CustomerSpec } from '../../src/plan/model.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { figuresQuery, readFiguresRows } from '../../src/warehouse/refresh-queries.js'
import { unitSpans } from '../../src/warehouse/unit-spans.js'
import type { RefreshRequest } from '../../src/warehouse/warehouse.js'
import { CREATE_EXPECTED, CREATE_TARGET, openEmbeddedFixture } from './embedded-fixture.js'
import type { EmbeddedFixture } from './embedded-fixture.js'
import { customer, DAY, dayGrid, expected, HOUR, JAN_1, target } from './fixtures.js'

const ADVERSARIAL = "a' OR '1'='1"
/** Ids the answer could mix up if it named customers by text: quotes, escapes, a slash, non-ASCII, one a prefix of another. */
const ODD_IDS = ['o\'brien "the second"', 'back\\slash\ttab', 'eu/zürich', '航空-✈', 'alaska', '']
let fx: EmbeddedFixture

/** `count` hourly conversations of `customerId` from `from` (ms), each with its own key. */
async function insertTarget(customerId: string, from: number, count: number, agent = 'agent-1', keyOffset = 0): Promise<void> {
  await fx.sql.command({
    query: `INSERT INTO analytics.conversation_with_labels
      SELECT concat('conv-', toString(number + {offset:UInt32})), {customer:String}, 'profile', {agent:String}, toDateTime({from:UInt32}) + number * 3600, 'label'
      FROM numbers({count:UInt32})`,
    query_params: { customer: customerId, from: from / 1000, count, agent, offset: keyOffset },
  })
}

async function insertExpected(customerId: string, from: number, count: number): Promise<void> {
  await fx.sql.command({
    query: `INSERT INTO analytics.conversations
      SELECT concat('conv-', toString(number)), {customer:String}, 'profile', toDateTime({from:UInt32}) + number * 3600
      FROM numbers({count:UInt32})`,
    query_params: { customer: customerId, from: from / 1000, count },
  })
}

function request(customers: CustomerSpec[], withExpected = true): RefreshRequest {
  return { target, ...(withExpected ? { expected } : {}), customers, grid: dayGrid }
}

beforeAll(async () => {
  fx = await openEmbeddedFixture()
  await fx.sql.command({ query: 'CREATE DATABASE analytics' })
  await fx.sql.command({ query: CREATE_TARGET })
  await fx.sql.command({ query: CREATE_EXPECTED })

  // alaska-air: days 0 and 1, 24 conversations each; on day 1 six conversations were
  // re-inserted with another agent (a mutable sort-key column): duplicates FINAL keeps.
  await insertTarget('alaska-air', JAN_1, 48)
  await insertTarget('alaska-air', JAN_1 + DAY, 6, 'agent-2', 24)
  await insertExpected('alaska-air', JAN_1, 50)
  // clipped: rows all day on Jan 10, but its range starts at 12:00.
  await insertTarget('clipped', JAN_1 + 9 * DAY, 24)
  await insertExpected('clipped', JAN_1 + 9 * DAY, 24)
  // adversarial id, and a customer bf was not asked about.
  await insertTarget(ADVERSARIAL, JAN_1, 10)
  await insertTarget('not-in-plan', JAN_1, 24)
  // Odd ids: the i-th has i + 1 conversations on Jan 5.
  for (const [i, id] of ODD_IDS.entries()) await insertTarget(id, JAN_1 + 4 * DAY, i + 1)
  // Rows just outside the window: Dec 31 23:00 and Jan 3 00:00.
  await insertTarget('alaska-air', JAN_1 - HOUR, 1, 'agent-1', 1000)
  await insertTarget('alaska-air', JAN_1 + 2 * DAY, 1, 'agent-1', 2000)
})

afterAll(async () => {
  await fx?.close()
})

describe('refresh on the embedded engine', () => {
  it('gives exact rows, keys and expected keys per customer and day', async () => {
    const live = await fx.warehouse.refresh(request([customer('alaska-air', 0, 2), customer(ADVERSARIAL, 0, 1)]))
    expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 24, keys: 24, expected: 24 })
    const day2 = live.unit('alaska-air', JAN_1 + DAY)
    expect(day2).toEqual({ rows: 30, keys: 24, expected: 24 })
    expect(day2.rows - day2.keys).toBe(6)
    expect(live.unit(ADVERSARIAL, JAN_1)).toEqual({ rows: 10, keys: 10, expected: 0 })
    expect(live.unit('not-in-plan', JAN_1)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(live.unit('alaska-air', JAN_1 + 5 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(live.pendingMutations).toBe(0)
  })

  it("counts only a clipped customer's own part of its first day", async () => {
    const clipped = customer('clipped', 9, 1, 12 * HOUR)
    const live = await fx.warehouse.refresh(request([clipped, customer('alaska-air', 0, 2)]))
    // The unit is addressed by its clipped start; any time inside the cell finds it.
    expect(live.unit('clipped', clipped.window.start)).toEqual({ rows: 12, keys: 12, expected: 12 })
    expect(live.unit('clipped', JAN_1 + 9 * DAY)).toEqual({ rows: 12, keys: 12, expected: 12 })
    expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 24, keys: 24, expected: 24 })
  })

  it('cuts cells on a grid whose origin is not midnight', async () => {
    const grid = { origin: JAN_1 + 3 * HOUR, stepMs: 6 * HOUR, text: '6h' }
    const window = { start: JAN_1 + 3 * HOUR, end: JAN_1 + 27 * HOUR }
    const live = await fx.warehouse.refresh({ target, customers: [{ id: 'alaska-air', window }], grid })
    for (let k = 0; k < 3; k++) expect(live.unit('alaska-air', grid.origin + k * grid.stepMs)).toEqual({ rows: 6, keys: 6 })
    // 21:00–03:00 holds three of the re-inserted conversations of Jan 2, 00:00–02:00.
    expect(live.unit('alaska-air', grid.origin + 3 * grid.stepMs)).toEqual({ rows: 9, keys: 6 })
  })

  it('gives each customer its own figures whatever its id', async () => {
    const live = await fx.warehouse.refresh(request([customer('alaska-air', 0, 2), ...ODD_IDS.map((id) => customer(id, 4, 1))], false))
    for (const [i, id] of ODD_IDS.entries()) expect(live.unit(id, JAN_1 + 4 * DAY), JSON.stringify(id)).toEqual({ rows: i + 1, keys: i + 1 })
    expect(live.unit('alaska-air', JAN_1 + DAY)).toEqual({ rows: 30, keys: 24 })
  })

  it("gives zeros outside a customer's window, even where it has rows", async () => {
    const live = await fx.warehouse.refresh(request([customer('alaska-air', 1, 1), customer('eu/zürich', 3, 1)]))
    expect(live.unit('alaska-air', JAN_1 + DAY)).toEqual({ rows: 30, keys: 24, expected: 24 })
    expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(live.unit('alaska-air', JAN_1 + 2 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(live.unit('eu/zürich', JAN_1 + 4 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(live.unit('eu/zürich', JAN_1 + 3 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
  })

  it('sends the same number of grouped queries for 1 customer × 2 days and 20 customers × 50 days', async () => {
    const small = await fx.warehouse.refresh(request([customer('alaska-air', 0, 2)]))
    const many = Array.from({ length: 20 }, (_, i) => customer(i === 0 ? 'alaska-air' : `customer-${i}`, 0, 50))
    const large = await fx.warehouse.refresh(request(many))
    expect(small.queries).toBe(4)
    expect(large.queries).toBe(small.queries)
    expect(large.unit('alaska-air', JAN_1 + DAY)).toEqual({ rows: 30, keys: 24, expected: 24 })
  })

  it('reads table facts of target, read table and expected source', async () => {
    const live = await fx.warehouse.refresh(request([customer('alaska-air', 0, 1)]))
    expect(live.target).toEqual(live.readTable)
    expect(live.target).toMatchObject({
      database: 'analytics',
      table: 'conversation_with_labels',
      engine: 'ReplacingMergeTree',
      sortingKey: 'toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id',
      partitionKey: '',
    })
    expect(live.target!.columns.map((column) => column.name)).toEqual([
      'conversation_id',
      'customer_id',
      'profile_id',
      'agent_user_id',
      'conversation_end_time',
      'label',
    ])
    expect(live.expectedTable).toMatchObject({ table: 'conversations', engine: 'MergeTree', sortingKey: 'customer_id, ended_at' })
  })

  it('leaves facts undefined and figures empty for missing tables, without failing', async () => {
    const live = await fx.warehouse.refresh({
      target: { ...target, readTable: 'conversation_with_labels_d' },
      expected: { ...expected, table: 'missing_source' },
      customers: [customer('alaska-air', 0, 2)],
      grid: dayGrid,
    })
    expect(live.target).toBeDefined()
    expect(live.readTable).toBeUndefined()
    expect(live.expectedTable).toBeUndefined()
    expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 0, keys: 0 })
    expect(live.queries).toBe(2)
    // The check step's description of the same tables agrees with refresh's.
    const described = await fx.warehouse.describeTarget({ target: { ...target, readTable: 'conversation_with_labels_d' }, expected: { ...expected, table: 'missing_source' } })
    expect(described).toEqual({ target: live.target, pendingMutations: 0 })
    expect(await fx.warehouse.describeTarget({ target, expected })).toMatchObject({ expectedTable: { table: 'conversations', engine: 'MergeTree' } })
  })

  it('gives the same figures when the session time zone is not UTC', async () => {
    const tokyo = await openWarehouse({ name: 'tokyo', clickhouse: { embedded: fx.path, settings: { session_timezone: 'Asia/Tokyo' } }, customers: [] })
    try {
      expect(await tokyo.scalar('SELECT timezone()', {})).toBe('Asia/Tokyo')
      const clipped = customer('clipped', 9, 1, 12 * HOUR)
      const live = await tokyo.refresh(request([clipped, customer('alaska-air', 0, 2)]))
      expect(live.unit('clipped', clipped.window.start)).toEqual({ rows: 12, keys: 12, expected: 12 })
      expect(live.unit('alaska-air', JAN_1)).toEqual({ rows: 24, keys: 24, expected: 24 })
      expect(live.unit('alaska-air', JAN_1 + DAY)).toEqual({ rows: 30, keys: 24, expected: 24 })
      // A DateTime bound as epoch seconds is the same instant in any zone.
      expect(await tokyo.scalar('SELECT toUnixTimestamp({start:DateTime})', { start: 1767225600 })).toBe(1767225600)
    } finally {
      await tokyo.close()
    }
    // The Tokyo session's settings did not leak into bf's other session.
    expect(await fx.warehouse.scalar('SELECT timezone()', {})).not.toBe('Asia/Tokyo')
  })
})

describe('unitFigures on the embedded engine', () => {
  const window = (day: number, hours = 24, from = 0) => ({ start: JAN_1 + day * DAY + from, end: JAN_1 + day * DAY + from + hours * HOUR })

  it('gives each unit, in the order asked, the figures a refresh of that unit alone gives', async () => {
    const units = [
      { customer: 'alaska-air', window: window(1) },
      { customer: 'clipped', window: window(9, 12, 12 * HOUR) },
      { customer: ADVERSARIAL, window: window(0) },
      ...ODD_IDS.map((id) => ({ customer: id, window: window(4) })),
      { customer: 'alaska-air', window: window(0) },
      { customer: 'never-seen', window: window(3) },
    ]
    const figures = await fx.warehouse.unitFigures({ target, expected, grid: dayGrid, units })
    const alone = await Promise.all(
      units.map(async (unit) => (await fx.warehouse.refresh(request([{ id: unit.customer, window: unit.window }]))).unit(unit.customer, unit.window.start)),
    )
    expect(figures).toEqual(alone)
    expect(figures[0]).toEqual({ rows: 30, keys: 24, expected: 24 })
    expect(figures[1]).toEqual({ rows: 12, keys: 12, expected: 12 })
  })

  it("counts only the units' own days of a customer, not the days between them", async () => {
    // alaska-air has a row on Jan 3 (day 2), inside the span of days 0 and 4: the answer has no row for it.
    const units = [
      { customer: 'alaska-air', window: window(0) },
      { customer: 'alaska-air', window: window(4) },
    ]
    const spans = unitSpans(units, dayGrid)
    const query = figuresQuery({ ...target, table: target.readTable }, spans.customers, dayGrid, { cells: spans.cells })
    const result = await fx.sql.query({ query: query.sql, query_params: query.params, format: 'JSONCompactEachRow' })
    const answered: number[] = []
    readFiguresRows(await result.text(), query.customers, (_customer, cell) => answered.push(cell))
    expect(answered.sort()).toEqual([0])
    expect(await fx.warehouse.unitFigures({ target, grid: dayGrid, units })).toEqual([
      { rows: 24, keys: 24 },
      { rows: 0, keys: 0 },
    ])
  })
})
