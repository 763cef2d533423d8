import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startReplicasServer } from '../support/clickhouse-replicas-server.js'
import type { ReplicaMutation, ReplicasScenario, ReplicasServer } from '../support/clickhouse-replicas-server.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { WarehouseError } from '../../src/warehouse/warehouse.js'
import type { Warehouse } from '../../src/warehouse/warehouse.js'
import { deleteRequest, httpCluster, JAN_1 } from './fixtures.js'

const PASSWORD = 'hunter2-very-secret'
const SINCE = Date.UTC(2026, 1, 20, 10, 0, 0, 400)
const SINCE_S = Math.floor(SINCE / 1000)
const REPLICAS = ['ch-1', 'ch-2', 'ch-3']
const request = deleteRequest({ onCluster: 'conversations' })
const OUR_COMMAND =
  "(DELETE WHERE (customer_id = 'alaska-air') AND (conversation_end_time >= _CAST(1767225600, 'DateTime')) AND (conversation_end_time < _CAST(1771459200, 'DateTime')) AND ('bf:relabel-2026:0f3a9c' != ''))"

function ours(host: string, extra: Partial<ReplicaMutation> = {}): ReplicaMutation {
  return {
    host,
    database: 'analytics',
    table: 'conversation_with_labels',
    command: OUR_COMMAND,
    createTime: SINCE_S,
    mutationId: `0000000042-${host}`,
    isDone: true,
    partsToDo: 0,
    ...extra,
  }
}

function scenario(extra: Partial<ReplicasScenario> = {}): ReplicasScenario {
  return {
    cluster: 'conversations',
    replicas: REPLICAS,
    mutations: REPLICAS.map((host) => ours(host)),
    credentials: { username: 'bf', password: PASSWORD },
    nowMs: SINCE,
    ...extra,
  }
}

let server: ReplicasServer
let warehouse: Warehouse

beforeAll(async () => {
  server = await startReplicasServer(scenario())
  warehouse = await openWarehouse(httpCluster(server.url, { cluster: 'conversations', username: 'bf', password: '${env:CH_PASSWORD}' }), {
    env: { CH_PASSWORD: PASSWORD },
  })
})

afterEach(() => {
  server.requests.length = 0
  server.scenario = scenario()
})

afterAll(async () => {
  await warehouse?.close()
  await server?.close()
})

function failureOf(promise: Promise<unknown>): Promise<WarehouseError> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(WarehouseError)
      return err as WarehouseError
    },
  )
}

describe('findMutation over ON CLUSTER (real client, scripted replicas)', () => {
  it('is done when every replica reports is_done = 1', async () => {
    const status = await warehouse.findMutation(request, SINCE)
    expect(status).toEqual({
      replicas: 3,
      done: true,
      hosts: REPLICAS.map((host) => ({ host, mutationId: `0000000042-${host}`, isDone: true, partsToDo: 0 })),
    })
  })

  it('asks every replica, never skipping unavailable ones, and compares with system.clusters', async () => {
    await warehouse.findMutation(request, SINCE)
    const clusters = server.requests.find((r) => r.sql.includes('system.clusters'))
    const mutations = server.requests.find((r) => r.sql.includes('system.mutations'))
    expect(clusters?.params).toEqual({ cluster: 'conversations' })
    expect(mutations?.sql).toContain('FROM clusterAllReplicas({cluster:String}, system.mutations)')
    expect(mutations?.sql).toContain('hostName()')
    expect(mutations?.settings.skip_unavailable_shards).toBe('0')
    expect(mutations?.params).toEqual({
      database: 'analytics',
      table: 'conversation_with_labels',
      since: String(SINCE_S),
      tag_literals: "['\\'bf:relabel-2026:0f3a9c\\'']",
      cluster: 'conversations',
    })
    for (const recorded of server.requests) {
      expect(recorded.headers.authorization).toBe(`Basic ${Buffer.from(`bf:${PASSWORD}`).toString('base64')}`)
      expect(recorded.headers['user-agent']).toMatch(/^bf clickhouse-js\//)
    }
  })

  it('is not done while one replica lags, and says how many parts are left there', async () => {
    server.scenario = scenario({ mutations: [ours('ch-1'), ours('ch-2', { isDone: false, partsToDo: 7 }), ours('ch-3')] })
    const status = await warehouse.findMutation(request, SINCE)
    expect(status?.done).toBe(false)
    expect(status?.hosts.find((host) => host.host === 'ch-2')).toMatchObject({ isDone: false, partsToDo: 7 })
  })

  it("reports a failing replica's latest_fail_reason and time", async () => {
    const reason = 'Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)'
    server.scenario = scenario({
      mutations: [ours('ch-1'), ours('ch-2'), ours('ch-3', { isDone: false, partsToDo: 3, latestFailReason: reason, latestFailTime: SINCE_S + 60 })],
    })
    const status = await warehouse.findMutation(request, SINCE)
    expect(status?.done).toBe(false)
    expect(status?.hosts.find((host) => host.host === 'ch-3')).toEqual({
      host: 'ch-3',
      mutationId: '0000000042-ch-3',
      isDone: false,
      partsToDo: 3,
      latestFailReason: reason,
      latestFailTime: '2026-02-20T10:01:00.000Z',
    })
  })

  it('is not done while a replica has no such mutation at all', async () => {
    server.scenario = scenario({ mutations: [ours('ch-1'), ours('ch-2')] })
    const status = await warehouse.findMutation(request, SINCE)
    expect(status).toMatchObject({ replicas: 3, done: false })
    expect(status?.hosts.map((host) => host.host)).toEqual(['ch-1', 'ch-2'])
  })

  it('ignores mutations with another tag or created before since, and counts the second of since', async () => {
    const otherTag = OUR_COMMAND.replace('0f3a9c', '0f3a9c9')
    server.scenario = scenario({
      mutations: [ours('ch-1', { createTime: SINCE_S - 1 }), ours('ch-2', { command: otherTag }), ours('ch-3')],
    })
    const status = await warehouse.findMutation(request, SINCE)
    expect(status?.hosts.map((host) => host.host)).toEqual(['ch-3'])
    server.scenario = scenario({ mutations: [] })
    expect(await warehouse.findMutation(request, SINCE)).toBeUndefined()
  })

  it('looks several customers up in one query, each done only when all its replicas are', async () => {
    const otherCommand = OUR_COMMAND.replace('alaska-air', 'acme').replace('0f3a9c', '7d1e20')
    const theirs = (host: string, extra: Partial<ReplicaMutation> = {}): ReplicaMutation => ours(host, { command: otherCommand, mutationId: `0000000043-${host}`, ...extra })
    server.scenario = scenario({
      mutations: [...REPLICAS.map((host) => ours(host)), theirs('ch-1'), theirs('ch-2', { isDone: false, partsToDo: 2 }), theirs('ch-3')],
    })
    const acme = { ...request, customer: 'acme', tag: 'bf:relabel-2026:7d1e20' }
    const statuses = await warehouse.findMutations([
      { request: acme, since: SINCE },
      { request, since: SINCE },
      { request: { ...request, tag: 'bf:relabel-2026:nowhere' }, since: SINCE },
    ])
    expect(statuses.map((status) => status?.done)).toEqual([false, true, undefined])
    expect(statuses[0]?.hosts.find((host) => host.host === 'ch-2')).toMatchObject({ mutationId: '0000000043-ch-2', partsToDo: 2 })
    expect(server.requests.filter((r) => r.sql.includes('system.mutations'))).toHaveLength(1)
  })

  it('splits many lookups into queries of 100 tags, counting the replicas once', async () => {
    const lookups = Array.from({ length: 150 }, (_, i) => ({ request: { ...request, customer: `customer-${i}`, tag: `bf:many:${i}` }, since: SINCE }))
    const statuses = await warehouse.findMutations([...lookups, { request, since: SINCE }])
    expect(statuses).toHaveLength(151)
    expect(statuses.slice(0, 150).every((status) => status === undefined)).toBe(true)
    expect(statuses[150]?.done).toBe(true)
    expect(server.requests.filter((r) => r.sql.includes('system.mutations'))).toHaveLength(2)
    expect(server.requests.filter((r) => r.sql.includes('system.clusters'))).toHaveLength(1)
  })

  it('fails, naming the cluster, when a replica cannot be reached', async () => {
    server.scenario = scenario({ unreachable: ['ch-3'] })
    const error = await failureOf(warehouse.findMutation(request, SINCE))
    expect(error.code).toBe(279)
    expect(error.message).toContain(`cluster us-east-1-prod (127.0.0.1:${server.port})`)
    expect(error.message).toContain('ALL_CONNECTION_TRIES_FAILED')
  })

  it('fails when the cluster is not in system.clusters', async () => {
    const error = await failureOf(warehouse.findMutation({ ...request, onCluster: 'elsewhere' }, SINCE))
    expect(error.message).toMatch(/no cluster named elsewhere/)
  })

  it('counts pending mutations as the most any replica has', async () => {
    server.scenario = scenario({ mutations: [ours('ch-1', { isDone: false }), ours('ch-2', { isDone: false, mutationId: 'a' }), ours('ch-2', { isDone: false, mutationId: 'b' })] })
    expect(await warehouse.pendingMutations({ database: 'analytics', table: 'conversation_with_labels' })).toBe(2)
  })
})

describe('submitDelete ON CLUSTER over HTTP', () => {
  it('sends placeholders and bound values and waits for the end of the query', async () => {
    await warehouse.submitDelete({ ...request, customer: "a' OR '1'='1" })
    const sent = server.requests.at(-1)!
    expect(sent.sql).toBe(
      "ALTER TABLE `analytics`.`conversation_with_labels` ON CLUSTER `conversations` DELETE WHERE `customer_id` = {customer:String} AND `conversation_end_time` >= {start:DateTime} AND `conversation_end_time` < {end:DateTime} AND {tag:String} != ''",
    )
    expect(sent.params).toEqual({ customer: "a\\' OR \\'1\\'=\\'1", start: '1767225600', end: '1771459200', tag: 'bf:relabel-2026:0f3a9c' })
    expect(sent.settings).toMatchObject({ mutations_sync: '0', wait_end_of_query: '1', default_format: 'JSONEachRow' })
  })

  it('fails naming the host that refused the statement', async () => {
    server.scenario = scenario({
      ddl: {
        rows: [
          { host: 'ch-1', port: 9000, status: 0, error: '' },
          { host: 'ch-2', port: 9000, status: 60, error: 'Code: 60. DB::Exception: Table analytics.conversation_with_labels does not exist. (UNKNOWN_TABLE)' },
          { host: 'ch-3', port: 9000, status: 0, error: '' },
        ],
      },
    })
    const error = await failureOf(warehouse.submitDelete(request))
    expect(error.message).toContain('1 of 3 hosts refused it: ch-2:9000: Code: 60.')
    expect(error).toMatchObject({ code: 60, uncertain: true })
  })

  it('treats unfinished hosts (NULL status) as submitted', async () => {
    server.scenario = scenario({
      ddl: { rows: [{ host: 'ch-1', port: 9000, status: 0, error: '' }, { host: 'ch-2', port: 9000, status: null, error: '' }] },
    })
    await expect(warehouse.submitDelete(request)).resolves.toBeUndefined()
  })

  it('reads an exception written after a 200 status: 159 means still running', async () => {
    server.scenario = scenario({
      ddl: {
        rows: [{ host: 'ch-1', port: 9000, status: 0, error: '' }],
        trailingException: { code: 159, type: 'TIMEOUT_EXCEEDED', message: 'Distributed DDL task /clickhouse/task_queue/ddl/query-0000000042 is not finished on 2 of 3 hosts' },
      },
    })
    await expect(warehouse.submitDelete(request)).resolves.toBeUndefined()
  })

  it('reads an exception written after a 200 status: anything else fails', async () => {
    server.scenario = scenario({
      ddl: { rows: [], trailingException: { code: 36, type: 'BAD_ARGUMENTS', message: 'Cannot execute mutation on a Distributed table' } },
    })
    const error = await failureOf(warehouse.submitDelete(request))
    expect(error.code).toBe(36)
    expect(error.message).toContain('Cannot execute mutation')
  })

  it.each([
    [159, 'TIMEOUT_EXCEEDED'],
    [341, 'UNFINISHED'],
  ])('treats error %i (%s) as submitted and still running', async (code, type) => {
    server.scenario = scenario({ ddl: { rows: [], failWith: { code, type, message: 'Watching task is executing longer than distributed_ddl_task_timeout' } } })
    await expect(warehouse.submitDelete(request)).resolves.toBeUndefined()
  })
})

describe('other calls over HTTP', () => {
  it('reads the server clock', async () => {
    expect(await warehouse.serverTime()).toBe(SINCE)
  })

  it('takes written rows of an INSERT from X-ClickHouse-Summary, with query id and deduplication token', async () => {
    server.scenario = scenario({ insertWrittenRows: 1234 })
    const sql = 'INSERT INTO analytics.conversation_with_labels SELECT * FROM src WHERE customer_id = {customer:String} AND t >= {start:DateTime} AND t < {end:DateTime}'
    const result = await warehouse.insert(sql, { customer: 'alaska-air', start: JAN_1 / 1000, end: JAN_1 / 1000 + 86400, cluster: 'us-east-1-prod' }, {
      queryId: 'bf-q-1',
      deduplicationToken: 'unit-1-attempt-2',
    })
    expect(result).toEqual({ writtenRows: 1234 })
    const sent = server.requests.at(-1)!
    expect(sent.settings).toMatchObject({ query_id: 'bf-q-1', insert_deduplication_token: 'unit-1-attempt-2', wait_end_of_query: '1' })
    expect(sent.params).toEqual({ customer: 'alaska-air', start: '1767225600', end: '1767312000', cluster: 'us-east-1-prod' })
  })

  it.each([
    ['running', 'running'],
    ['QueryFinish', 'finished'],
    ['ExceptionWhileProcessing', 'failed'],
  ] as const)('reports a query %s as %s', async (known, status) => {
    server.scenario = scenario({ queries: { 'bf-q-7': known } })
    expect(await warehouse.queryStatus('bf-q-7')).toBe(status)
  })

  it('reports a query nobody knows as unknown, looking on every replica', async () => {
    expect(await warehouse.queryStatus('bf-q-unknown')).toBe('unknown')
    expect(server.requests.some((r) => r.sql.includes('clusterAllReplicas({cluster:String}, system.query_log)'))).toBe(true)
  })
})

describe('errors over HTTP never show the password', () => {
  it('redacts the password even when the server echoes it', async () => {
    server.scenario = scenario({ failWith: { code: 62, type: 'SYNTAX_ERROR', message: `Syntax error near '${PASSWORD}'` } })
    const error = await failureOf(warehouse.serverTime())
    expect(error.message).not.toContain(PASSWORD)
    expect(error.message).toContain('***')
  })

  it('explains a refused login without the password', async () => {
    const wrong = await openWarehouse(httpCluster(server.url, { username: 'bf', password: 'not-the-password' }))
    try {
      const error = await failureOf(wrong.ping())
      expect(error.code).toBe(516)
      expect(error.message).toMatch(/check clickhouse.username and clickhouse.password/)
      expect(error.message).not.toContain('not-the-password')
    } finally {
      await wrong.close()
    }
  })

  it('takes credentials out of a URL and never shows them', async () => {
    const url = server.url.replace('http://', `http://bf:${encodeURIComponent(PASSWORD)}@`)
    const fromUrl = await openWarehouse(httpCluster(url))
    try {
      expect(await fromUrl.serverTime()).toBe(SINCE)
      server.scenario = scenario({ failWith: { code: 999, type: 'KEEPER_EXCEPTION', message: `while connecting to ${url}` } })
      const error = await failureOf(fromUrl.serverTime())
      expect(error.message).not.toContain(PASSWORD)
      expect(error.message).toContain(`(127.0.0.1:${server.port})`)
    } finally {
      await fromUrl.close()
    }
  })

  it('says when nothing listens, and that nothing ran', async () => {
    const closed = await startReplicasServer(scenario())
    await closed.close()
    const nowhere = await openWarehouse(httpCluster(closed.url, { password: PASSWORD }))
    try {
      const error = await failureOf(nowhere.serverTime())
      expect(error.message).toMatch(/connection refused/)
      expect(error.uncertain).toBe(false)
    } finally {
      await nowhere.close()
    }
  })

  it('says after a client timeout that the statement may still be running', async () => {
    const slow = await openWarehouse(httpCluster(server.url, { username: 'bf', password: PASSWORD }), { requestTimeoutMs: 200 })
    server.scenario = scenario({ delayMs: 1_000 })
    try {
      const error = await failureOf(slow.insert('INSERT INTO t SELECT 1', {}, { queryId: 'bf-q-slow', deduplicationToken: 'x' }))
      expect(error.uncertain).toBe(true)
      expect(error.message).toMatch(/running INSERT bf-q-slow failed on cluster us-east-1-prod .*may still be running.*look it up/)
    } finally {
      await slow.close()
    }
  })
})
