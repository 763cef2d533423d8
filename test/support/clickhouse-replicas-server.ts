import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { multipartFields, parseLiteral, readBody, unescapeText } from './clickhouse-http-wire.js'

/**
 * A small server speaking the part of ClickHouse's HTTP interface that `@clickhouse/client`
 * uses, with scripted answers for what a cluster of replicas would say: the replica count
 * in `system.clusters`, `clusterAllReplicas(…, system.mutations)`, the per-host status rows
 * of an `ON CLUSTER` statement, the query log, and `INSERT` summaries.
 *
 * Wire format, as the client sends and reads it:
 * - `POST /?query_id=…&database=…&param_<name>=<value>&<setting>=<value>` with the SQL as
 *   the body (or `multipart/form-data` parts `query` and `param_<name>` for large
 *   parameters); `GET /?query=…` for `ping({ select: true })`; `GET /ping` for the plain ping.
 * - `query()` appends `\nFORMAT <format>` to the SQL; `exec()` relies on `default_format`.
 * - Answers carry `X-ClickHouse-Query-Id`, `X-ClickHouse-Format` and `X-ClickHouse-Summary`
 *   (a JSON object of strings). Errors carry `X-ClickHouse-Exception-Code` and the body
 *   `Code: N. DB::Exception: message. (TYPE) (version …)`, which the client parses.
 */

export interface ReplicaMutation {
  /** `hostName()` of the replica holding the row. */
  host: string
  database: string
  table: string
  /** As `system.mutations.command` shows it, bound values substituted. */
  command: string
  /** Epoch seconds. */
  createTime: number
  mutationId: string
  isDone: boolean
  partsToDo: number
  latestFailReason?: string
  /** Epoch seconds. */
  latestFailTime?: number
}

export interface DdlHostRow {
  host: string
  port: number
  /** 0 done; an error code; null while unfinished (`never_throw`, `null_status_on_timeout`). */
  status: number | null
  error: string
}

/** Load figures each replica reports in its system tables, for bf's throttle checks. */
export interface ReplicaLoad {
  /** `system.replicas` rows: replication delay (seconds) and queue of a table on a host. */
  replicas?: { host: string; database: string; table: string; absoluteDelay: number; queueSize: number }[]
  /** Active parts per partition of a table on a host (`system.parts`, one row per part in ClickHouse). */
  parts?: { host: string; database: string; table: string; partitionId: string; activeParts: number }[]
  /** `system.metrics` of the merge and mutation pool per host. */
  pool?: { host: string; tasks: number; size: number }[]
  /** `system.server_settings`: background_pool_size and the concurrency ratio. */
  poolSettings?: { poolSize: number; ratio: number }
  /** System tables this server does not have (an older or a stripped-down ClickHouse). */
  missing?: string[]
}

export interface ServerFailure {
  code: number
  type: string
  message: string
  httpStatus?: number
}

export interface ReplicasScenario {
  /** The cluster's name in `system.clusters`. */
  cluster: string
  /** `hostName()` of each replica listed in `system.clusters`. */
  replicas: string[]
  /** `system.mutations` rows, each on its replica. */
  mutations: ReplicaMutation[]
  /** Replicas that do not answer: `clusterAllReplicas` fails as ClickHouse does without `skip_unavailable_shards`. */
  unreachable?: string[]
  /** The answer to `ALTER TABLE … ON CLUSTER` / `DELETE FROM … ON CLUSTER`. */
  ddl?: { rows: DdlHostRow[]; trailingException?: ServerFailure; failWith?: ServerFailure }
  /** `query_log` rows by query id (`QueryFinish`, `ExceptionWhileProcessing`), or `running` for `system.processes`. */
  queries?: Record<string, 'running' | 'QueryFinish' | 'ExceptionWhileProcessing'>
  /** `written_rows` reported in the summary of an INSERT. */
  insertWrittenRows?: number
  /** The server's clock, epoch ms. */
  nowMs?: number
  /** When set, requests must carry these credentials (Basic auth). */
  credentials?: { username: string; password: string }
  /** Every query fails with this. */
  failWith?: ServerFailure
  /** Waits this long before answering (client timeouts). */
  delayMs?: number
  load?: ReplicaLoad
}

export interface RecordedRequest {
  method: string
  path: string
  sql: string
  /** `param_<name>` values, without the prefix, as sent (text). */
  params: Record<string, string>
  /** Other URL parameters: settings, `query_id`, `database`. */
  settings: Record<string, string>
  headers: IncomingMessage['headers']
}

export interface ReplicasServer {
  url: string
  port: number
  /** Everything received, in order. */
  requests: RecordedRequest[]
  scenario: ReplicasScenario
  close(): Promise<void>
}

const VERSION = '25.8.1.1'
const NON_SETTING_PARAMS = new Set(['query'])

class Failure extends Error {
  constructor(readonly failure: ServerFailure) {
    super(failure.message)
  }
}

function exceptionText(failure: ServerFailure): string {
  return `Code: ${failure.code}. DB::Exception: ${failure.message}. (${failure.type}) (version ${VERSION})\n`
}

function summary(writtenRows = 0, resultRows = 0): string {
  return JSON.stringify({
    read_rows: '0',
    read_bytes: '0',
    written_rows: String(writtenRows),
    written_bytes: '0',
    total_rows_to_read: '0',
    result_rows: String(resultRows),
    result_bytes: '0',
    elapsed_ns: '1000',
  })
}

function formatOf(sql: string, settings: Record<string, string>): string {
  return /\bFORMAT\s+(\w+)\s*$/i.exec(sql)?.[1] ?? settings.default_format ?? 'TabSeparated'
}

function serialize(rows: Record<string, unknown>[], format: string): string {
  if (format === 'JSONCompactEachRow') return rows.map((row) => JSON.stringify(Object.values(row))).join('\n') + (rows.length ? '\n' : '')
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '')
}

function answerQuery(scenario: ReplicasScenario, sql: string, params: Record<string, string>): { rows: Record<string, unknown>[]; writtenRows?: number; trailing?: string } {
  if (scenario.failWith) throw new Failure(scenario.failWith)
  const clusterParam = params.cluster === undefined ? undefined : unescapeText(params.cluster)
  const requireCluster = (): void => {
    if (clusterParam !== scenario.cluster) {
      throw new Failure({ code: 701, type: 'CLUSTER_DOESNT_EXIST', message: `Requested cluster '${clusterParam}' not found` })
    }
  }
  const requireReachable = (): void => {
    const down = scenario.unreachable ?? []
    if (down.length > 0) {
      throw new Failure({
        code: 279,
        type: 'ALL_CONNECTION_TRIES_FAILED',
        message: `All connection tries failed. Log: \n\nCode: 210. DB::NetException: Connection refused (${down[0]}:9000)`,
      })
    }
  }

  if (/^\s*(ALTER TABLE|DELETE FROM)\b[\s\S]*\bON CLUSTER\b/i.test(sql)) {
    const ddl = scenario.ddl ?? { rows: scenario.replicas.map((host) => ({ host, port: 9000, status: 0, error: '' })) }
    if (ddl.failWith) throw new Failure(ddl.failWith)
    const rows = ddl.rows.map((row, index) => ({
      host: row.host,
      port: row.port,
      status: row.status === null ? null : String(row.status),
      error: row.error,
      num_hosts_remaining: String(ddl.rows.length - index - 1),
      num_hosts_active: String(ddl.rows.length),
    }))
    return { rows, ...(ddl.trailingException ? { trailing: exceptionText(ddl.trailingException) } : {}) }
  }
  if (/^\s*INSERT\b/i.test(sql)) return { rows: [], writtenRows: scenario.insertWrittenRows ?? 0 }
  if (/^\s*SYSTEM FLUSH LOGS/i.test(sql)) return { rows: [] }
  if (/SELECT 'ping'/.test(sql)) return { rows: [{ ping: 'ping' }] }
  if (/now64/.test(sql)) return { rows: [{ bf_now: String(scenario.nowMs ?? Date.now()) }] }
  if (/system\.clusters/.test(sql)) {
    return { rows: [{ bf_replicas: String(clusterParam === scenario.cluster ? scenario.replicas.length : 0) }] }
  }
  if (/clusterAllReplicas\(\{cluster:String\}, system\.mutations\)/.test(sql)) {
    requireCluster()
    requireReachable()
    const database = unescapeText(params.database ?? '')
    const table = unescapeText(params.table ?? '')
    const onTable = scenario.mutations.filter((row) => row.database === database && row.table === table)
    if (/bf_pending/.test(sql)) {
      const perHost = new Map<string, number>()
      for (const row of onTable) if (!row.isDone) perHost.set(row.host, (perHost.get(row.host) ?? 0) + 1)
      return { rows: [{ bf_pending: String(Math.max(0, ...perHost.values())) }] }
    }
    const since = Number(params.since)
    const tags = parseLiteral(params.tag_literals ?? '[]') as string[]
    const tagOf = (row: ReplicaMutation): number => tags.findIndex((tag) => row.command.includes(tag)) + 1
    const rows = onTable
      .filter((row) => row.createTime >= since && tagOf(row) > 0)
      .sort((a, b) => a.host.localeCompare(b.host) || a.createTime - b.createTime)
      .map((row) => ({
        bf_host: row.host,
        bf_mutation_id: row.mutationId,
        bf_is_done: row.isDone ? 1 : 0,
        bf_parts_to_do: String(row.partsToDo),
        bf_latest_fail_reason: row.latestFailReason ?? '',
        bf_latest_fail_time: row.latestFailTime ?? 0,
        bf_create_time: row.createTime,
        bf_tag: tagOf(row),
      }))
    return { rows }
  }
  const loadTable = /\bsystem\.(replicas|parts|metrics|server_settings)\b/.exec(sql)?.[1]
  if (loadTable !== undefined) return answerLoad(scenario, loadTable, sql, params, { requireCluster, requireReachable })
  if (/system\.processes/.test(sql)) {
    const id = unescapeText(params.query_id ?? '')
    return { rows: [{ bf_running: String(scenario.queries?.[id] === 'running' ? 1 : 0) }] }
  }
  if (/system\.query_log/.test(sql)) {
    const id = unescapeText(params.query_id ?? '')
    const type = scenario.queries?.[id]
    return { rows: type === undefined || type === 'running' ? [] : [{ bf_type: type }] }
  }
  throw new Failure({ code: 48, type: 'NOT_IMPLEMENTED', message: `the replicas test server has no answer for: ${sql.slice(0, 120)}` })
}

/** The throttle's queries: the largest figure over the replicas (with `clusterAllReplicas`) or of this host (the first replica). */
function answerLoad(
  scenario: ReplicasScenario,
  table: string,
  sql: string,
  params: Record<string, string>,
  checks: { requireCluster(): void; requireReachable(): void },
): { rows: Record<string, unknown>[] } {
  const load = scenario.load ?? {}
  if (load.missing?.includes(table)) throw new Failure({ code: 60, type: 'UNKNOWN_TABLE', message: `Table system.${table} does not exist` })
  const everyReplica = /clusterAllReplicas\(\{cluster:String\}, system\./.test(sql)
  if (everyReplica) {
    checks.requireCluster()
    checks.requireReachable()
  }
  const local = scenario.replicas[0]
  const onHost = (host: string): boolean => everyReplica || host === local
  const database = unescapeText(params.database ?? '')
  const tableName = unescapeText(params.table ?? '')
  const max = (values: number[]): number => Math.max(0, ...values)
  if (table === 'replicas') {
    const rows = (load.replicas ?? []).filter((row) => onHost(row.host) && row.database === database && row.table === tableName)
    const figure = /absolute_delay/.test(sql) ? rows.map((row) => row.absoluteDelay) : rows.map((row) => row.queueSize)
    return { rows: [{ bf_value: max(figure) }] }
  }
  if (table === 'parts') {
    const rows = (load.parts ?? []).filter((row) => onHost(row.host) && row.database === database && row.table === tableName)
    return { rows: [{ bf_value: max(rows.map((row) => row.activeParts)) }] }
  }
  if (table === 'metrics') {
    if (unescapeText(params.tasks ?? '') !== 'BackgroundMergesAndMutationsPoolTask' || unescapeText(params.size ?? '') !== 'BackgroundMergesAndMutationsPoolSize') {
      throw new Failure({ code: 36, type: 'BAD_ARGUMENTS', message: 'unexpected metric names' })
    }
    return { rows: (load.pool ?? []).filter((row) => onHost(row.host)).map((row) => ({ bf_host: row.host, bf_tasks: row.tasks, bf_size: row.size })) }
  }
  const settings = load.poolSettings ?? { poolSize: 16, ratio: 2 }
  return { rows: [{ bf_value: settings.poolSize * settings.ratio }] }
}

function authorized(scenario: ReplicasScenario, request: IncomingMessage): boolean {
  if (!scenario.credentials) return true
  const expected = `Basic ${Buffer.from(`${scenario.credentials.username}:${scenario.credentials.password}`).toString('base64')}`
  return request.headers.authorization === expected
}

export async function startReplicasServer(initial: ReplicasScenario): Promise<ReplicasServer> {
  const requests: RecordedRequest[] = []
  const state = { scenario: initial }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const body = (await readBody(request)).toString('utf8')
    if (url.pathname === '/ping') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n')
      return
    }
    const fields = (request.headers['content-type'] ?? '').startsWith('multipart/form-data') ? multipartFields(body, request.headers['content-type'] ?? '') : {}
    const params: Record<string, string> = {}
    const settings: Record<string, string> = {}
    for (const [name, value] of [...url.searchParams.entries(), ...Object.entries(fields)]) {
      if (name.startsWith('param_')) params[name.slice('param_'.length)] = value
      else if (!NON_SETTING_PARAMS.has(name)) settings[name] = value
    }
    const sql = fields.query ?? (url.searchParams.get('query') ?? '') + (request.method === 'POST' && fields.query === undefined ? body : '')
    requests.push({ method: request.method ?? 'GET', path: url.pathname, sql, params, settings, headers: request.headers })

    if (state.scenario.delayMs) await new Promise((resolve) => setTimeout(resolve, state.scenario.delayMs))
    if (request.socket.destroyed) return
    const queryId = settings.query_id ?? ''
    const format = formatOf(sql, settings)
    const common = { 'X-ClickHouse-Query-Id': queryId, 'X-ClickHouse-Server-Display-Name': 'replicas-test-server', 'X-ClickHouse-Timezone': 'UTC' }
    try {
      if (!authorized(state.scenario, request)) {
        throw new Failure({
          code: 516,
          type: 'AUTHENTICATION_FAILED',
          message: `${request.headers.authorization ? 'someone' : 'default'}: Authentication failed: password is incorrect, or there is no user with such name`,
          httpStatus: 401,
        })
      }
      const answer = answerQuery(state.scenario, sql, params)
      response.writeHead(200, {
        ...common,
        'Content-Type': 'application/x-ndjson; charset=UTF-8',
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Summary': summary(answer.writtenRows, answer.rows.length),
      })
      response.end(serialize(answer.rows, format) + (answer.trailing ?? ''))
    } catch (err) {
      if (!(err instanceof Failure)) throw err
      const { failure } = err
      response.writeHead(failure.httpStatus ?? (failure.code === 60 ? 404 : 500), {
        ...common,
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(failure.code),
        'X-ClickHouse-Summary': summary(),
      })
      response.end(exceptionText(failure))
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get scenario() {
      return state.scenario
    },
    set scenario(next: ReplicasScenario) {
      state.scenario = next
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
