import path from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StateStore } from '../../src/state/store.js'
import { FakeClock } from '../support/fake-clock.js'
import { waitFor } from '../support/wait-for.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import type { ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { embeddedClient } from '../support/embedded-client.js'
import { openState, stateSpec } from './clickhouse-state.js'
import { stepEvent } from './conformance.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()
const LOCK = { operation: 'apply', timeoutMs: 0 }
const READER = { username: 'ci', password: 'read-only-secret' }
let dataPath: string
let sql: ClickHouseClient
let http: ClickHouseHttpServer
const stores: StateStore[] = []

beforeAll(async () => {
  dataPath = path.join(await tempDir(), 'data')
  sql = embeddedClient(dataPath)
  http = await startClickHouseHttpServer({ dataPath, readOnlyUsers: [READER] })
})
afterAll(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined)
  await http?.close()
  await sql?.close()
})

function open(...args: Parameters<typeof openState>): StateStore {
  const store = openState(...args)
  stores.push(store)
  return store
}

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await sql.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>()
}

async function planRows(plan: string, database = 'bf'): Promise<number> {
  const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM ${database}.bf_state WHERE plan = {plan:String}`, { plan })
  return Number(row?.n)
}

describe('the lease fences a holder that lost it', () => {
  // On the embedded engine its Keeper lives in bf's process, which asks it there; a server checks the lease in each INSERT.
  it.each([['embedded', false], ['HTTP', true]])('refuses the appends of a holder whose lease was taken over, and never counts its rows (%s)', async (_name, overHttp) => {
    const database = overHttp ? 'bf_fence_http' : 'bf'
    const spec = stateSpec(overHttp ? { url: http.url } : { embedded: dataPath }, { leaseMs: 1_000, database })
    // The first holder is frozen in time (a paused process); the second comes after its lease expired.
    const frozen = new FakeClock('2026-01-15T00:00:00Z')
    const later = new FakeClock('2026-01-15T00:00:05Z')
    const first = open(spec, {}, { clock: frozen })
    const firstLock = await first.lock(LOCK)
    await first.append(stepEvent('started', 'local/acme/2026-01-01/job'))
    const warnings: string[] = []
    const second = open(spec, {}, { clock: later })
    await second.lock({ ...LOCK, onWarning: (message) => warnings.push(message) })
    expect(warnings).toEqual([expect.stringContaining(`took over the expired lease of ${firstLock.info.who}@${firstLock.info.host}`)])
    await second.append(stepEvent('succeeded', 'local/acme/2026-01-01/job', { outputs: { rows: 1 } }))

    const served = http.served.length
    await expect(first.append(stepEvent('failed', 'local/acme/2026-01-01/job', { error: 'late' }))).rejects.toThrow(/no longer this process's/)
    // The server refused it (395: the lease check threw); on the embedded engine it was never sent.
    expect(http.served.slice(served).map((statement) => statement.error)).toEqual(overHttp ? [395] : [])
    // A write that slipped past the lease check (sent before the take-over, landed after) does not count either.
    await sql.command({
      query:
        `INSERT INTO ${database}.bf_state (plan, is_step, generation, group_key, address, serial, epoch, what, lineage, body) SELECT {plan:String}, 1, 0, 'local/acme/', 'local/acme/2026-01-01/job', 3, 1, 'event', lineage, {body:String} FROM ${database}.bf_state WHERE plan = {plan:String} AND what = 'event' LIMIT 1`,
      query_params: { plan: spec.name, body: JSON.stringify(stepEvent('failed', 'local/acme/2026-01-01/job', { error: 'ghost' })) },
    })
    const state = await open(spec).read()
    expect(state.serial).toBe(2)
    expect(state.steps.get('local/acme/2026-01-01/job')).toMatchObject({ status: 'succeeded', outputs: { rows: 1 } })
    expect(await second.append(stepEvent('started', 'local/acme/2026-01-02/job'))).toBe(3)
    expect((await open(spec).read()).steps.get('local/acme/2026-01-01/job')?.status).toBe('succeeded')
  })
})

describe('what a step records', () => {
  it.each([['embedded', false], ['HTTP', true]])('comes back as written, whatever characters it holds (%s)', async (_name, overHttp) => {
    const spec = stateSpec(overHttp ? { url: http.url } : { embedded: dataPath }, { database: overHttp ? 'bf_text_http' : 'bf' })
    const writer = open(spec)
    await writer.lock(LOCK)
    const odd = 'tab\tline\nreturn\rback\\slash "quote" \'single\' nul\u0000 é 🚀'
    await writer.append(stepEvent('failed', `local/we%2Fird\\'/2026-01-01/job`, { error: odd, outputs: { [odd]: odd } }))
    const reader = open(spec)
    const record = (await reader.read()).steps.get(`local/we%2Fird\\'/2026-01-01/job`)
    expect(record).toMatchObject({ status: 'failed', error: odd, outputs: { [odd]: odd } })
    const groups = []
    for await (const group of (await reader.readByCustomer()).groups()) groups.push(group)
    expect(groups.map((group) => [group.key, [...group.steps.values()]])).toEqual([[`local/we%2Fird\\'/`, [record]]])
  })
})

describe('a state read a few customers at a time', () => {
  it.each([['embedded', false], ['HTTP', true]])('reads the same steps in one query per customer as in one query for all (%s)', async (_name, overHttp) => {
    const spec = stateSpec(overHttp ? { url: http.url } : { embedded: dataPath }, { database: overHttp ? 'bf_pages_http' : 'bf_pages' })
    const writer = open(spec)
    await writer.lock(LOCK)
    const odd = 'local/tab\tline\nback\\slash/'
    // A customer of more rows than a query is to read (3 here), then two of fewer, one with odd characters.
    await writer.append(stepEvent('started', 'local/acme/2026-01-01/job'))
    for (let i = 1; i <= 5; i++) await writer.append(stepEvent('progress', 'local/acme/2026-01-01/job', { outputs: { done: i } }))
    await writer.append(stepEvent('succeeded', 'local/acme/2026-01-01/job', { outputs: { done: 6 } }))
    for (const address of ['local/acme/2026-01-02/job', `${odd}2026-01-01/job`, 'local/globex/2026-01-01/job', 'local/globex/2026-01-02/job']) {
      await writer.append(stepEvent('started', address))
      await writer.append(stepEvent('succeeded', address, { outputs: { address } }))
    }
    const whole = await open(spec).read()
    const from = overHttp ? http.served.length : 0
    const paged = open(spec, {}, { pageRows: 3 })
    const state = await paged.read()
    expect(state.serial).toBe(15)
    expect([...state.steps.entries()]).toEqual([...whole.steps.entries()])
    expect(state.steps.get('local/acme/2026-01-01/job')).toMatchObject({ status: 'succeeded', outputs: { done: 6 } })
    expect(state.steps.get(`${odd}2026-01-01/job`)).toMatchObject({ status: 'succeeded', outputs: { address: `${odd}2026-01-01/job` } })
    const groups = []
    for await (const group of (await paged.readByCustomer()).groups()) groups.push([group.key, [...group.steps.keys()]])
    expect(groups).toEqual([
      ['local/acme/', ['local/acme/2026-01-01/job', 'local/acme/2026-01-02/job']],
      ['local/globex/', ['local/globex/2026-01-01/job', 'local/globex/2026-01-02/job']],
      [odd, [`${odd}2026-01-01/job`]],
    ])
    if (overHttp) {
      const reads = http.served.slice(from).filter((statement) => /^SELECT concat/.test(statement.sql))
      // Of 9, 4 and 2 rows: each customer is a query of its own, in the read and in the read by customer.
      const firsts = reads.map((statement) => statement.params.first?.slice(0, 'local/xyz'.length))
      expect(firsts).toEqual(['local/acm', 'local/glo', 'local/tab', 'local/acm', 'local/glo', 'local/tab'])
    }
    // A reader that stops after the first customer lets its query go; the next read is whole.
    for await (const group of (await paged.readByCustomer()).groups()) {
      expect(group.key).toBe('local/acme/')
      break
    }
    expect([...(await paged.read()).steps.entries()]).toEqual([...whole.steps.entries()])
  })

  it.each([['embedded', false], ['HTTP', true]])('refuses a step row whose body was edited by hand into something that is not JSON, in one line (%s)', async (_name, overHttp) => {
    const database = overHttp ? 'bf_pages_http' : 'bf_pages'
    const spec = stateSpec(overHttp ? { url: http.url } : { embedded: dataPath }, { database })
    const writer = open(spec)
    await writer.lock(LOCK)
    await writer.append(stepEvent('started', 'local/acme/2026-01-01/job'))
    await sql.command({
      query: `ALTER TABLE ${database}.bf_state UPDATE body = '{"address":\n1' WHERE plan = {plan:String} AND is_step = 1 SETTINGS mutations_sync = 1`,
      query_params: { plan: spec.name },
    })
    await expect(open(spec).read()).rejects.toThrow(
      new RegExp(`^${database}\\.bf_state: the row of local/acme/2026-01-01/job at serial 1 is not a step bf wrote \\(its body is not a JSON object\\); restore the table from a backup, or remove that row$`),
    )
  })
})

describe('group commit over HTTP', () => {
  it('sends a burst of transitions in INSERTs whose rows each fit a server\'s form field (128 KiB)', async () => {
    const spec = stateSpec({ url: http.url }, { database: 'bf_burst' })
    const writer = open(spec)
    await writer.lock(LOCK)
    const from = http.served.length
    const outputs = { note: 'x'.repeat(300) }
    const serials = await Promise.all(Array.from({ length: 400 }, (_, i) => writer.append(stepEvent('progress', `local/c${i % 7}/d${i}/job`, { outputs }))))
    expect(serials).toEqual(Array.from({ length: 400 }, (_, i) => i + 1))
    const inserts = http.served.slice(from).filter((statement) => /^INSERT INTO `bf_burst`\.`bf_state`/.test(statement.sql))
    expect(inserts.length).toBeGreaterThan(2)
    expect(inserts.length).toBeLessThan(20)
    for (const insert of inserts) expect(Buffer.byteLength(insert.params.rows ?? '')).toBeLessThan(128 * 1024)
    expect((await open(spec).read()).serial).toBe(400)
  })
})

describe('the lease', () => {
  it('names its holder, where it runs and when it expires to whoever is refused, after waiting', async () => {
    const spec = stateSpec({ embedded: dataPath }, { leaseMs: 30_000 })
    const ci = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/backfills', GITHUB_RUN_ID: '42' }
    const held = await open(spec, ci).lock(LOCK)
    expect(held.info.from).toBe('https://github.com/acme/backfills/actions/runs/42')
    const started = Date.now()
    const refused = (await open(spec, { POD_NAME: 'bf-apply-x' }).lock({ operation: 'apply', timeoutMs: 300 }).catch((error: unknown) => error)) as Error
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(refused.message).toBe(
      `state is locked by ${held.info.who}@${held.info.host} (pid ${process.pid}, apply, since ${held.info.created}, expires ${held.info.expires}, ` +
        `from https://github.com/acme/backfills/actions/runs/42, lock id ${held.info.id}); wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait for it`,
    )
  })

  it('goes to exactly one of several takes at once, and to no one else until released', async () => {
    const spec = stateSpec({ embedded: dataPath })
    const takes = await Promise.allSettled(Array.from({ length: 4 }, () => open(spec).lock(LOCK)))
    const won = takes.filter((take) => take.status === 'fulfilled')
    expect(won).toHaveLength(1)
    const holder = await open(spec).lockHolder()
    expect(holder?.id).toBe(won[0]?.status === 'fulfilled' ? won[0].value.info.id : undefined)
    for (const take of takes) if (take.status === 'rejected') expect((take.reason as Error).message).toContain(`lock id ${holder?.id}`)
  })

  it('is renewed every third of its length, and lost once another holder has it: the store then writes nothing', async () => {
    const spec = stateSpec({ embedded: dataPath }, { leaseMs: 900 })
    const clock = new FakeClock(Date.now())
    const holder = open(spec, {}, { clock })
    const held = await holder.lock(LOCK)
    const admin = open(spec)
    clock.advance(300)
    const renewed = await waitFor(async () => {
      const expires = (await admin.lockHolder())?.expires
      return expires !== held.info.expires && expires
    }, { what: 'a renewal' })
    expect(Date.parse(renewed)).toBe(Date.parse(held.info.expires ?? '') + 300)
    await admin.forceUnlock(held.info.id)
    const next = open(spec)
    await next.lock(LOCK)
    clock.advance(300)
    await waitFor(() => held.lost?.aborted, { what: 'the lease to be lost' })
    expect((held.lost?.reason as Error).message).toMatch(/^lost the state's lease in KeeperMap table bf_memory\.bf_state_lease: it is now held by /)
    await expect(holder.append(stepEvent('started', 'local/acme/2026-01-01/job'))).rejects.toThrow(/^lost the state's lease/)
    expect((await admin.read()).serial).toBe(0)
  })

  it('is lost when it cannot be renewed before it expires', async () => {
    const spec = stateSpec({ url: http.url, username: 'default', password: '' }, { leaseMs: 900, database: 'bf_renew' })
    const clock = new FakeClock(Date.now())
    const held = await open(spec, {}, { clock }).lock(LOCK)
    http.credentials = { username: 'someone', password: 'else' }
    try {
      clock.advance(300)
      await waitFor(() => http.served.some((statement) => statement.error === 516), { what: 'a failed renewal' })
      expect(held.lost?.aborted).toBe(false)
      for (let step = 0; step < 8 && !held.lost?.aborted; step++) {
        clock.advance(100)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await waitFor(() => held.lost?.aborted, { what: 'the lease to be lost' })
      expect((held.lost?.reason as Error).message).toMatch(/could not renew it before it expired at .*516/)
    } finally {
      http.credentials = undefined
    }
  })
})

describe('bad input is one line, and nothing is written', () => {
  it('refuses a table of that name that bf did not make', async () => {
    await sql.command({ query: 'CREATE DATABASE IF NOT EXISTS other' })
    await sql.command({ query: 'CREATE TABLE other.bf_state (plan String, body String) ENGINE = MergeTree ORDER BY plan' })
    const store = open(stateSpec({ embedded: dataPath }, { database: 'other' }))
    await expect(store.read()).rejects.toThrow(/^other\.bf_state on cluster local is not a bf state table \(its columns are: plan String, body String\); choose another name with state\.table/)
    await expect(store.lock(LOCK)).rejects.toThrow(/not a bf state table/)
    await expect(store.pause({ who: 'a', host: 'h', pid: 1, reason: 'r', since: 'now' })).rejects.toThrow(/not a bf state table/)
    expect(await rows('SELECT * FROM other.bf_state')).toEqual([])
  })

  it('refuses a plan name whose rows carry two lineages', async () => {
    const spec = stateSpec({ embedded: dataPath })
    const writer = open(spec)
    await writer.lock(LOCK)
    await writer.append(stepEvent('succeeded', 'local/acme/2026-01-01/job'))
    await writer.close()
    // Another state's rows under the same plan name (copied in from another table, say).
    await sql.command({
      query:
        "INSERT INTO bf.bf_state (plan, is_step, generation, group_key, address, serial, epoch, what, lineage, body) SELECT plan, is_step, generation, 'local/zeta/', 'local/zeta/2026-01-01/job', 2, epoch, what, 'another-lineage', replace(body, 'acme', 'zeta') FROM bf.bf_state WHERE plan = {plan:String} AND what = 'event'",
      query_params: { plan: spec.name },
    })
    const before = await planRows(spec.name)
    const reader = open(spec)
    await expect(reader.read()).rejects.toThrow(/^bf\.bf_state holds two states under the plan name "plan-\w+" \(lineages [\w-]+, [\w-]+\): two plans share that name/)
    await expect(reader.readByCustomer()).rejects.toThrow(/two states/)
    const next = open(spec)
    await expect(next.lock(LOCK)).rejects.toThrow(/two states/)
    expect(await planRows(spec.name)).toBe(before)
  })

  it('refuses a lease row edited by hand, naming how to remove it', async () => {
    const spec = stateSpec({ embedded: dataPath })
    const holder = open(spec)
    await holder.lock(LOCK)
    await holder.close()
    await sql.command({ query: "INSERT INTO bf_memory.bf_state_lease VALUES ({plan:String}, 'v1', '{\"id\":\"x\",\"who\":\"ana\"}')", query_params: { plan: spec.name } })
    const before = await planRows(spec.name)
    const store = open(spec)
    await expect(store.lockHolder()).rejects.toThrow(/is not one bf wrote \(no "host"\); if no bf is running on this plan, remove it with: ALTER TABLE bf_memory\.bf_state_lease DELETE WHERE plan = 'plan-/)
    await expect(store.lock(LOCK)).rejects.toThrow(/not one bf wrote/)
    await sql.command({ query: "ALTER TABLE bf_memory.bf_state_lease UPDATE record = 'not json' WHERE plan = {plan:String}", query_params: { plan: spec.name } })
    await expect(store.lockHolder()).rejects.toThrow(/not one bf wrote \(not valid JSON\)/)
    expect(await planRows(spec.name)).toBe(before)
  })

  it('says a wrong password for the state cluster in one line without the password, and writes nothing', async () => {
    http.credentials = { username: 'bf', password: 'right-secret' }
    try {
      const spec = stateSpec({ url: http.url, username: 'bf', password: 'wrong-secret' }, { database: 'bf_auth' })
      const store = open(spec)
      const refused = (await store.lock(LOCK).catch((error: unknown) => error)) as Error
      expect(refused.message).toMatch(/failed on cluster local \(127\.0\.0\.1:\d+\): ClickHouse error 516 AUTHENTICATION_FAILED: .* \(check clickhouse\.username and clickhouse\.password\)$/)
      expect(refused.message).not.toContain('wrong-secret')
      expect(refused.message).not.toContain('\n')
      await expect(store.read()).rejects.toThrow(/516/)
      expect(await rows("SELECT name FROM system.databases WHERE name = 'bf_auth'")).toEqual([])
    } finally {
      http.credentials = undefined
    }
  })
})

describe('a read-only user', () => {
  it('reads a state another user wrote, and an absent one as empty, writing nothing', async () => {
    const spec = stateSpec({ url: http.url }, { database: 'bf_shared' })
    const writer = open(spec)
    const held = await writer.lock(LOCK)
    await writer.append(stepEvent('started', 'local/acme/2026-01-01/job'))
    await writer.append(stepEvent('succeeded', 'local/acme/2026-01-01/job'))
    const asReader = stateSpec({ url: http.url, ...READER }, { database: 'bf_shared', plan: spec.name })
    const reader = open(asReader)
    const state = await reader.read()
    expect(state.serial).toBe(2)
    expect(state.steps.get('local/acme/2026-01-01/job')?.status).toBe('succeeded')
    const groups = []
    for await (const group of (await reader.readByCustomer()).groups()) groups.push(group.key)
    expect(groups).toEqual(['local/acme/'])
    expect(await reader.lockHolder()).toEqual(held.info)
    expect(await reader.pauseInfo()).toBeUndefined()
    await held.release()
    await expect(reader.lock(LOCK)).rejects.toThrow(/164 READONLY/)

    const absent = open(stateSpec({ url: http.url, ...READER }, { database: 'bf_nowhere' }))
    expect((await absent.read()).serial).toBe(0)
    expect(await absent.lockHolder()).toBeUndefined()
    expect(http.served.filter((statement) => statement.error === 164).map((statement) => statement.sql)).toEqual([expect.stringMatching(/^INSERT INTO `bf_shared`\.`bf_state_lease`/)])
  })
})
