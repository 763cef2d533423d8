import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeleteRequest, MutationStatus } from '../../src/warehouse/warehouse.js'
import { CREATE_TARGET, openEmbeddedFixture, rowsOf } from './embedded-fixture.js'
import type { EmbeddedFixture } from './embedded-fixture.js'
import { DAY, deleteRequest, HOUR, JAN_1 } from './fixtures.js'
import { waitFor } from '../support/wait-for.js'

const CUSTOMERS = ["a' OR '1'='1", "x\\' --", 'Ünïcödé 顧客 🚀', 'with spaces ', 'a', 'x']

let fx: EmbeddedFixture

/** 48 hourly rows per customer from Jan 1 00:00: two days. */
async function seed(): Promise<void> {
  await fx.sql.command({ query: 'TRUNCATE TABLE analytics.conversation_with_labels' })
  await fx.sql.command({
    query: `INSERT INTO analytics.conversation_with_labels
      SELECT concat('conv-', toString(number)), c, 'p', 'agent', toDateTime({jan1:UInt32}) + number * 3600, 'old'
      FROM numbers(48) ARRAY JOIN {customers:Array(String)} AS c`,
    query_params: { jan1: JAN_1 / 1000, customers: CUSTOMERS },
  })
}

async function countsByCustomer(): Promise<Record<string, number>> {
  const rows = await rowsOf<{ customer_id: string; n: number | string }>(
    fx.sql,
    'SELECT customer_id, count() AS n FROM analytics.conversation_with_labels GROUP BY customer_id',
  )
  return Object.fromEntries(rows.map((row) => [row.customer_id, Number(row.n)]))
}

async function waitForDone(request: DeleteRequest, since: number): Promise<MutationStatus> {
  return waitFor(
    async () => {
      const status = await fx.warehouse.findMutation(request, since)
      return status?.done ? status : undefined
    },
    { what: `the mutation ${request.tag} to finish`, intervalMs: 20 },
  )
}

beforeAll(async () => {
  fx = await openEmbeddedFixture()
  await fx.sql.command({ query: 'CREATE DATABASE analytics' })
  await fx.sql.command({ query: CREATE_TARGET })
})

afterAll(async () => {
  await fx?.close()
})

describe.each(['mutation', 'lightweight'] as const)('%s delete on the embedded engine', (mode) => {
  it.each(CUSTOMERS.slice(0, 4))('removes exactly the window of %j and nothing else', async (customer) => {
    await seed()
    const window = { start: JAN_1 + 6 * HOUR, end: JAN_1 + DAY + 6 * HOUR }
    const request = deleteRequest({ customer, ranges: [window], mode, tag: `bf:test:${mode}:${CUSTOMERS.indexOf(customer)}` })
    const since = await fx.warehouse.serverTime()

    await fx.warehouse.submitDelete(request)
    const status = await waitForDone(request, since)
    expect(status.replicas).toBe(1)
    expect(status.hosts).toHaveLength(1)
    expect(status.hosts[0]).toMatchObject({ isDone: true, partsToDo: 0 })

    const counts = await countsByCustomer()
    for (const other of CUSTOMERS) expect(counts[other], other).toBe(other === customer ? 48 - 24 : 48)
    const left = await rowsOf<{ first: string; last: string }>(
      fx.sql,
      `SELECT toString(min(conversation_end_time)) AS first, toString(max(conversation_end_time)) AS last,
        countIf(conversation_end_time >= toDateTime({start:UInt32}) AND conversation_end_time < toDateTime({end:UInt32})) AS inside
       FROM analytics.conversation_with_labels WHERE customer_id = {customer:String}`,
      { customer, start: window.start / 1000, end: window.end / 1000 },
    )
    expect(left[0]).toMatchObject({ first: '2026-01-01 00:00:00', last: '2026-01-02 23:00:00', inside: 0 })
  })
})

describe('findMutation on the embedded engine', () => {
  it('sees our mutation by its tag, first unfinished or finished, then done', async () => {
    await seed()
    const request = deleteRequest({ customer: 'a', ranges: [{ start: JAN_1, end: JAN_1 + DAY }], tag: 'bf:find:1' })
    const since = await fx.warehouse.serverTime()
    expect(await fx.warehouse.findMutation(request, since)).toBeUndefined()

    await fx.warehouse.submitDelete(request)
    const first = await fx.warehouse.findMutation(request, since)
    expect(first).toBeDefined()
    expect(first!.hosts[0]!.mutationId).toMatch(/^mutation_\d+\.txt$/)
    const done = await waitForDone(request, since)
    expect(done.done).toBe(true)
    expect(done.hosts[0]!.latestFailReason).toBeUndefined()

    // How the engine shows the statement: bound values substituted, the tag as a quoted literal.
    const rows = await rowsOf<{ command: string }>(fx.sql, "SELECT command FROM system.mutations WHERE position(command, 'bf:find:1') > 0")
    expect(rows[0]!.command).toBe(
      "(DELETE WHERE (customer_id = 'a') AND (conversation_end_time >= _CAST(1767225600, 'DateTime')) AND (conversation_end_time < _CAST(1767312000, 'DateTime')) AND ('bf:find:1' != ''))",
    )
  })

  it('does not match another tag, another table or a mutation older than since', async () => {
    await seed()
    const request = deleteRequest({ customer: 'x', ranges: [{ start: JAN_1, end: JAN_1 + DAY }], tag: 'bf:find:2' })
    const since = await fx.warehouse.serverTime()
    await fx.warehouse.submitDelete(request)
    await waitForDone(request, since)

    expect(await fx.warehouse.findMutation({ ...request, tag: 'bf:find:2x' }, since)).toBeUndefined()
    expect(await fx.warehouse.findMutation({ ...request, tag: 'bf:find' }, since)).toBeUndefined()
    expect(await fx.warehouse.findMutation({ ...request, target: { ...request.target, table: 'other' } }, since)).toBeUndefined()
    expect(await fx.warehouse.findMutation(request, since + 5_000)).toBeUndefined()
  })

  it('looks several up in one query, each by its own tag and since, in the order asked', async () => {
    await seed()
    const window = { start: JAN_1, end: JAN_1 + DAY }
    const first = deleteRequest({ customer: 'a', ranges: [window], tag: 'bf:many:1' })
    const firstSince = await fx.warehouse.serverTime()
    await fx.warehouse.submitDelete(first)
    await waitForDone(first, firstSince)
    // The next second of the server's clock (mutation times have whole seconds): a lookup
    // of the first mutation since then must not see it.
    const [created] = await rowsOf<{ t: number | string }>(fx.sql, "SELECT toUnixTimestamp(create_time) AS t FROM system.mutations WHERE position(command, 'bf:many:1') > 0")
    expect(created).toBeDefined()
    await waitFor(async () => Math.floor((await fx.warehouse.serverTime()) / 1000) > Number(created?.t), { what: 'the second after the first mutation', intervalMs: 20 })
    const second = deleteRequest({ customer: "a' OR '1'='1", ranges: [window], tag: 'bf:many:2' })
    const secondSince = await fx.warehouse.serverTime()
    await fx.warehouse.submitDelete(second)
    await waitForDone(second, secondSince)

    const statuses = await fx.warehouse.findMutations([
      { request: second, since: secondSince },
      { request: { ...first, tag: 'bf:many:3' }, since: firstSince },
      { request: first, since: firstSince },
      { request: first, since: secondSince },
      { request: { ...first, target: { ...first.target, table: 'other' } }, since: firstSince },
    ])
    expect(statuses.map((status) => status?.done)).toEqual([true, undefined, true, undefined, undefined])
    expect(statuses[0]!.hosts[0]!.mutationId).not.toBe(statuses[2]!.hosts[0]!.mutationId)
    expect(await fx.warehouse.findMutations([])).toEqual([])
  })

  it('counts unfinished mutations of the table', async () => {
    expect(await fx.warehouse.pendingMutations({ database: 'analytics', table: 'conversation_with_labels' })).toBe(0)
  })
})

describe('deletes refused before anything is sent', () => {
  it('throws on an empty customer or window, and sends nothing', async () => {
    const before = await countsByCustomer()
    await expect(fx.warehouse.submitDelete(deleteRequest({ customer: '' }))).rejects.toThrow(/customer/)
    await expect(fx.warehouse.submitDelete(deleteRequest({ ranges: [{ start: JAN_1, end: JAN_1 }] }))).rejects.toThrow(/empty/)
    expect(await countsByCustomer()).toEqual(before)
  })
})
