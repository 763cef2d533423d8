import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import type { Millis, TableRef } from '../plan/model.js'
import { parseDdlAnswer } from './ddl-status.js'
import { buildDeleteStatement, deleteWhose } from './delete-statement.js'
import type { ErrorScope } from './errors.js'
import { isStillRunningCode, redact, translateError, WarehouseError } from './errors.js'
import { FiguresIndex } from './figures-index.js'
import { lookupsByTable, mutationRowsQuery, parseMutationRow, replicaCountQuery, statusesOfLookups } from './mutations.js'
import type { MutationRow } from './mutations.js'
import { loadMetricQuery, poolSizeQuery } from './load-queries.js'
import type { LoadMetric } from './load-queries.js'
import { isRetryableRead, isRetryableWrite, withRetries } from './retry.js'
import type { RetryOptions } from './retry.js'
import { discoveryCountQuery, discoveryQueryParams, foundCustomers, isStringType } from './discovery-queries.js'
import { collapsesOnMerge, figuresQuery, parseTableFacts, pendingMutationsQuery, readFiguresRows, tableFactsQuery } from './refresh-queries.js'
import { countedColumnsProblem, tableKey } from './table-rules.js'
import type { CountedSource } from './table-rules.js'
import type { SqlQuery } from './sql-query.js'
import { describeTables, targetRefs } from './target-tables.js'
import { toNumber } from './sql-query.js'
import type {
  DeleteRequest,
  DiscoveryRequest,
  InsertResult,
  LiveFigures,
  MutationLookup,
  MutationStatus,
  QueryStatus,
  RefreshRequest,
  RewriteAnswer,
  RewriteRequest,
  Statement,
  TableFacts,
  TargetDescription,
  TargetRequest,
  UnitFigures,
  UnitFiguresRequest,
  Warehouse,
} from './warehouse.js'
import { unitSpans } from './unit-spans.js'
import { parseTouchedPart, rewriteFigures, rewriteQuery } from './rewrite-query.js'
import type { TouchedPart } from './rewrite-query.js'

type Row = Record<string, unknown>

const UNKNOWN_TABLE = 60

export interface ClickHouseWarehouseOptions {
  /** bf's cluster name. */
  cluster: string
  /** `clickhouse.cluster` of the plan: replica-wide checks use it. */
  onCluster?: string
  scope: ErrorScope
  /** Transient failures: reads are retried, writes only when they provably never ran. */
  retry?: RetryOptions
}

/** The warehouse of one cluster, over any `@clickhouse/client` connection (HTTP or embedded). */
export class ClickHouseWarehouse implements Warehouse {
  readonly cluster: string
  readonly #client: ClickHouseClient
  readonly #scope: ErrorScope
  readonly #onCluster: string | undefined
  readonly #retry: RetryOptions
  /** Table facts of `unitsOnly` refreshes, by the tables they name. */
  readonly #countedFacts = new Map<string, Promise<Map<string, TableFacts>>>()

  constructor(client: ClickHouseClient, options: ClickHouseWarehouseOptions) {
    this.cluster = options.cluster
    this.#client = client
    this.#scope = options.scope
    this.#onCluster = options.onCluster
    this.#retry = options.retry ?? {}
  }

  ping(): Promise<void> {
    return this.#read(async () => {
      const result = await this.#client.ping({ select: true })
      if (!result.success) throw translateError(result.error, this.#scope, 'connecting')
    })
  }

  serverTime(): Promise<Millis> {
    return this.#read(async () => {
      const row = await this.#first('reading the server time', { sql: 'SELECT toUnixTimestamp64Milli(now64(3)) AS bf_now', params: {} })
      return toNumber(row?.bf_now)
    })
  }

  /** Retried as a whole: a retry starts from empty figures, never adding a row twice. */
  refresh(request: RefreshRequest): Promise<LiveFigures> {
    return this.#read(() => this.#refreshOnce(request))
  }

  discoverCustomers(request: DiscoveryRequest): Promise<string[]> {
    return this.#read(async () => {
      const { source, window, exclude } = request
      if ('query' in source) return foundCustomers(await this.#customerColumn(source.query, discoveryQueryParams(window, this.cluster)), exclude)
      const ids: unknown[] = []
      await this.#eachRow(`finding the customers of ${tableKey(source.table)}`, discoveryCountQuery(source.table, window, source.minRows, exclude), (row) => ids.push(row.bf_customer))
      return foundCustomers(ids, exclude)
    })
  }

  /** The values of the one String column the user's discovery query returns. */
  async #customerColumn(sql: string, params: Record<string, string | number>): Promise<unknown[]> {
    const [names, types, ...rows] = await this.#guard('running the customers query', async () => {
      const result = await this.#client.query({ query: sql, query_params: params, format: 'JSONCompactEachRowWithNamesAndTypes' })
      return result.json<unknown[]>()
    })
    const columns = (types ?? []).map((type, at) => `${String(names?.[at])} ${String(type)}`)
    if (columns.length !== 1 || !isStringType(String(types?.[0]))) {
      const message = `cluster ${this.cluster} (${this.#scope.endpoint}): customers.query must return one String column of customer ids; it returns ${columns.length === 0 ? 'no column' : columns.join(', ')}`
      throw new WarehouseError(message, { cluster: this.cluster, endpoint: this.#scope.endpoint, uncertain: false })
    }
    return rows.map((row) => row[0])
  }

  unitFigures(request: UnitFiguresRequest): Promise<UnitFigures[]> {
    return this.#read(async () => {
      const spans = unitSpans(request.units, request.grid)
      const { target, grid } = request
      const live = await this.#refreshOnce({ target, ...(request.expected ? { expected: request.expected } : {}), customers: spans.customers, grid, unitsOnly: true }, spans.cells)
      return request.units.map((unit) => live.unit(unit.customer, unit.window.start))
    })
  }

  /** Deletes per query at most: their bound arrays stay well under a URL's length, whatever the plan's size. */
  static readonly DELETES_PER_ESTIMATE = 1000

  rewriteEstimate(request: RewriteRequest): Promise<RewriteAnswer> {
    return this.#read(async () => {
      const parts: TouchedPart[] = []
      const action = `estimating the parts ${request.deletes.length === 1 ? 'a delete rewrites' : `${request.deletes.length} deletes rewrite`} in ${request.target.database}.${request.target.table}`
      for (let first = 0; first < request.deletes.length; first += ClickHouseWarehouse.DELETES_PER_ESTIMATE) {
        const deletes = request.deletes.slice(first, first + ClickHouseWarehouse.DELETES_PER_ESTIMATE)
        await this.#eachRow(action, rewriteQuery(request.target, deletes), (row) => {
          const part = parseTouchedPart(row)
          parts.push({ ...part, deletes: part.deletes.map((position) => position + first) })
        })
      }
      return rewriteFigures(request.deletes.length, parts)
    })
  }

  describeTarget(request: TargetRequest): Promise<TargetDescription> {
    return this.#read(async () => {
      const refs = targetRefs(request)
      const facts = await this.#tableFacts(refs.all)
      const pending = facts.has(tableKey(refs.target)) ? await this.#pendingMutations(refs.target) : 0
      return describeTables(refs, facts, pending)
    })
  }

  /** With `cells`, only those cells of each customer are counted. */
  async #refreshOnce(request: RefreshRequest, cells?: ReadonlyMap<string, readonly number[]>): Promise<LiveFigures> {
    let queries = 0
    const { target, expected, grid } = request
    const refs = targetRefs(request)
    const readRef = refs.readTable
    if (!request.unitsOnly || !this.#countedFacts.has(refs.all.map(tableKey).join(','))) queries++
    const facts = await (request.unitsOnly ? this.#factsOnce(refs.all) : this.#tableFacts(refs.all))
    const tables = describeTables(refs, facts, 0)
    const { readTable, expectedTable } = tables
    this.#checkCountedColumns('target', { ...readRef, timeColumn: target.timeColumn, customerColumn: target.customerColumn, keyColumns: target.keyColumns }, readTable)
    if (expected) this.#checkCountedColumns('expected', expected, expectedTable)

    const customers = request.customers.filter((customer) => customer.window.end > customer.window.start)
    const figures = new FiguresIndex(customers, grid, expectedTable !== undefined)
    const work: Promise<void>[] = []
    if (readTable && customers.length > 0) {
      const source: CountedSource = { ...readRef, timeColumn: target.timeColumn, customerColumn: target.customerColumn, keyColumns: target.keyColumns }
      const query = figuresQuery(source, customers, grid, { final: collapsesOnMerge(tables.target?.engine), ...(cells ? { cells } : {}) })
      queries++
      work.push(
        this.#readCompact(`counting rows of ${tableKey(readRef)}`, query, (text) => {
          readFiguresRows(text, query.customers, (customer, cell, rows, keys) => figures.addTarget(customer, cell, rows, keys))
        }),
      )
    }
    if (expected && refs.expected && expectedTable && customers.length > 0) {
      const query = figuresQuery(expected, customers, grid, cells ? { cells } : {})
      queries++
      work.push(
        this.#readCompact(`counting keys of ${tableKey(refs.expected)}`, query, (text) => {
          readFiguresRows(text, query.customers, (customer, cell, _rows, keys) => figures.addExpected(customer, cell, keys))
        }),
      )
    }
    if (!request.unitsOnly) {
      queries++
      work.push(
        this.#pendingMutations(refs.target).then((count) => {
          tables.pendingMutations = count
        }),
      )
    }
    await Promise.all(work)
    return { unit: (customer, batchStart) => figures.unit(customer, batchStart), ...tables, queries }
  }

  /** A column refresh cannot count by fails here, named, rather than as a ClickHouse error in the middle of a query. */
  #checkCountedColumns(role: string, source: CountedSource, facts: TableFacts | undefined): void {
    const problem = facts && countedColumnsProblem(source, facts, role)
    if (problem) throw new WarehouseError(`cluster ${this.cluster} (${this.#scope.endpoint}): ${problem}`, { cluster: this.cluster, endpoint: this.#scope.endpoint, uncertain: false })
  }

  pendingMutations(ref: TableRef): Promise<number> {
    return this.#read(() => this.#pendingMutations(ref))
  }

  async #pendingMutations(ref: TableRef): Promise<number> {
    const row = await this.#first(`counting unfinished mutations of ${tableKey(ref)}`, pendingMutationsQuery(ref, this.#onCluster))
    return toNumber(row?.bf_pending)
  }

  deleteStatement(request: DeleteRequest): Statement {
    return buildDeleteStatement(request)
  }

  async submitDelete(request: DeleteRequest): Promise<void> {
    const statement = buildDeleteStatement(request)
    const action = `deleting rows of ${deleteWhose(request)} from ${request.target.database}.${request.target.table}`
    const params = {
      query: statement.sql,
      query_params: statement.params,
      clickhouse_settings: statement.settings as ClickHouseSettings,
    }
    if (request.onCluster === undefined) {
      await this.#write(() => this.#guard(action, () => this.#client.command(params)))
      return
    }
    let body: string
    try {
      body = await this.#write(() => this.#guard(action, async () => {
        const result = await this.#client.exec(params)
        let text = ''
        for await (const chunk of result.stream) text += String(chunk)
        return text
      }))
    } catch (err) {
      if (err instanceof WarehouseError && isStillRunningCode(err.code)) return
      throw err
    }
    this.#checkDdlAnswer(body, action)
  }

  /** Throws when a host refused the statement; hosts still running it will run it later. */
  #checkDdlAnswer(body: string, action: string): void {
    const answer = parseDdlAnswer(body)
    const failed = answer.hosts.filter((host) => host.state === 'failed')
    const where = `cluster ${this.cluster} (${this.#scope.endpoint})`
    if (failed.length > 0) {
      const first = failed[0]!
      const list = failed.map((host) => `${host.host}: ${host.error ?? `error ${host.code}`}`).join('; ')
      const message = `${action} failed on ${where}: ${failed.length} of ${answer.hosts.length} hosts refused it: ${list}`
      throw new WarehouseError(redact(message, this.#scope.secrets), {
        cluster: this.cluster,
        endpoint: this.#scope.endpoint,
        ...(first.code === undefined ? {} : { code: first.code }),
        // Hosts that accepted it have the mutation: look it up before submitting again.
        uncertain: answer.hosts.some((host) => host.state !== 'failed'),
      })
    }
    if (answer.bodyError && !isStillRunningCode(answer.bodyError.code)) {
      const error = Object.assign(new Error(answer.bodyError.message), { code: String(answer.bodyError.code) })
      throw translateError(error, this.#scope, action)
    }
  }

  async findMutation(request: DeleteRequest, since: Millis): Promise<MutationStatus | undefined> {
    const [status] = await this.findMutations([{ request, since }])
    return status
  }

  findMutations(lookups: readonly MutationLookup[]): Promise<(MutationStatus | undefined)[]> {
    return this.#read(async () => {
      const statuses: (MutationStatus | undefined)[] = []
      // Counted once per call, however many queries the lookups take.
      const replicaCounts = new Map<string, Promise<number>>()
      const replicasOf = (onCluster: string | undefined): Promise<number> => {
        if (onCluster === undefined) return Promise.resolve(1)
        let count = replicaCounts.get(onCluster)
        if (!count) {
          count = this.#replicaCount(onCluster)
          replicaCounts.set(onCluster, count)
        }
        return count
      }
      for (const group of lookupsByTable(lookups)) {
        const found = await this.#findMutationsOfTable(group.lookups, replicasOf(group.lookups[0]!.request.onCluster))
        found.forEach((status, offset) => (statuses[group.positions[offset]!] = status))
      }
      return statuses
    })
  }

  async #findMutationsOfTable(lookups: readonly MutationLookup[], replicaCount: Promise<number>): Promise<(MutationStatus | undefined)[]> {
    const { request } = lookups[0]!
    const whose = lookups.length === 1 ? deleteWhose(request) : `${lookups.length} customers`
    const action = `looking up the mutation of ${whose} on ${request.target.database}.${request.target.table}`
    const rows: MutationRow[] = []
    const [replicas] = await Promise.all([replicaCount, this.#eachRow(action, mutationRowsQuery(lookups), (row) => rows.push(parseMutationRow(row)))])
    return statusesOfLookups(lookups, rows, replicas)
  }

  async #replicaCount(cluster: string): Promise<number> {
    const row = await this.#first(`counting the replicas of cluster ${cluster}`, replicaCountQuery(cluster))
    const replicas = toNumber(row?.bf_replicas)
    if (replicas === 0) {
      throw new WarehouseError(`cluster ${this.cluster} (${this.#scope.endpoint}): ClickHouse has no cluster named ${cluster} in system.clusters (check clickhouse.cluster)`, {
        cluster: this.cluster,
        endpoint: this.#scope.endpoint,
        uncertain: false,
      })
    }
    return replicas
  }

  async insert(sql: string, params: Record<string, string | number>, options: { queryId: string; deduplicationToken: string }): Promise<InsertResult> {
    if (options.queryId === '' || options.deduplicationToken === '') throw new Error('an insert needs a query id and a deduplication token')
    const result = await this.#write(() =>
      this.#guard(`running INSERT ${options.queryId}`, () =>
        this.#client.command({
          query: sql,
          query_params: params,
          query_id: options.queryId,
          // The summary is complete only once the whole query has run.
          clickhouse_settings: { insert_deduplication_token: options.deduplicationToken, wait_end_of_query: 1 },
        }),
      ),
    )
    return { writtenRows: result.summary ? toNumber(result.summary.written_rows) : null }
  }

  queryStatus(queryId: string): Promise<QueryStatus> {
    return this.#read(() => this.#queryStatus(queryId))
  }

  async #queryStatus(queryId: string): Promise<QueryStatus> {
    const action = `looking up query ${queryId}`
    const onCluster = this.#onCluster
    const processes = onCluster === undefined ? 'system.processes' : 'clusterAllReplicas({cluster:String}, system.processes)'
    const queryLog = onCluster === undefined ? 'system.query_log' : 'clusterAllReplicas({cluster:String}, system.query_log)'
    const params = { query_id: queryId, ...(onCluster === undefined ? {} : { cluster: onCluster }) }

    const running = await this.#first(action, { sql: `SELECT count() AS bf_running FROM ${processes} WHERE query_id = {query_id:String}`, params })
    if (toNumber(running?.bf_running) > 0) return 'running'

    await this.#client.command({ query: 'SYSTEM FLUSH LOGS' }).catch(() => undefined)
    try {
      const logged = await this.#first(action, {
        sql: [
          'SELECT toString(type) AS bf_type FROM ' + queryLog,
          "WHERE event_date >= today() - 7 AND query_id = {query_id:String} AND type != 'QueryStart'",
          'ORDER BY event_time_microseconds DESC LIMIT 1',
        ].join('\n'),
        params,
      })
      if (logged === undefined) return 'unknown'
      return logged.bf_type === 'QueryFinish' ? 'finished' : 'failed'
    } catch (err) {
      // The embedded engine keeps no query log.
      if (err instanceof WarehouseError && err.code === UNKNOWN_TABLE) return 'unknown'
      throw err
    }
  }

  loadMetric(metric: LoadMetric, table: TableRef): Promise<number> {
    return this.#read(async () => {
      const action = `reading the load figure ${metric} of ${tableKey(table)}`
      const query = loadMetricQuery(metric, table, this.#onCluster)
      if (metric !== 'mergesBusy') return toNumber((await this.#first(action, query))?.bf_value)
      const hosts: { tasks: number; size: number }[] = []
      await this.#eachRow(action, query, (row) => hosts.push({ tasks: toNumber(row.bf_tasks), size: toNumber(row.bf_size) }))
      const configured = hosts.some((host) => host.size <= 0) ? toNumber((await this.#first(action, poolSizeQuery()))?.bf_value) : 0
      return Math.max(0, ...hosts.map((host) => host.tasks / (host.size > 0 ? host.size : configured || Infinity)))
    })
  }

  scalar(sql: string, params: Record<string, string | number>): Promise<unknown> {
    return this.#read(() => this.#scalar(sql, params))
  }

  async #scalar(sql: string, params: Record<string, string | number>): Promise<unknown> {
    return this.#guard('running a check', async () => {
      // Typed, not `output_format_json_quote_64bit_integers: 0`: a per-query setting costs
      // the embedded engine a call to reset it after every check.
      const result = await this.#client.query({ query: sql, query_params: params, format: 'JSONCompactEachRowWithNamesAndTypes' })
      const [, types, first] = await result.json<unknown[]>()
      return first === undefined ? undefined : unquoteWideInteger(first[0], types?.[0])
    })
  }

  async close(): Promise<void> {
    await this.#client.close()
  }

  /** Facts of `refs` read once for the life of this warehouse (a failed read is tried again next time). */
  #factsOnce(refs: TableRef[]): Promise<Map<string, TableFacts>> {
    const key = refs.map(tableKey).join(',')
    let facts = this.#countedFacts.get(key)
    if (!facts) {
      facts = this.#tableFacts(refs)
      this.#countedFacts.set(key, facts)
      facts.catch(() => this.#countedFacts.delete(key))
    }
    return facts
  }

  async #tableFacts(refs: TableRef[]): Promise<Map<string, TableFacts>> {
    const facts = new Map<string, TableFacts>()
    await this.#eachRow('reading table facts', tableFactsQuery(refs), (row) => {
      const table = parseTableFacts(row)
      facts.set(tableKey(table), table)
    })
    return facts
  }

  async #first(action: string, query: SqlQuery): Promise<Row | undefined> {
    let first: Row | undefined
    await this.#eachRow(action, query, (row) => {
      first ??= row
    })
    return first
  }

  /** Streams JSONEachRow rows. */
  async #eachRow(action: string, query: SqlQuery, onRow: (row: Row) => void): Promise<void> {
    await this.#guard(action, async () => {
      const result = await this.#client.query({
        query: query.sql,
        query_params: query.params,
        format: 'JSONEachRow',
        ...(query.settings ? { clickhouse_settings: query.settings as ClickHouseSettings } : {}),
      })
      for await (const rows of result.stream<Row>()) {
        for (const row of rows) onRow(row.json())
      }
    })
  }

  /**
   * The whole answer as JSONCompactEachRow text, for `read` to scan: a refresh reads a row
   * per unit, and the client's stream makes a string and an object of each. A row is about
   * 30 bytes: ten million still fit in one string.
   */
  async #readCompact(action: string, query: SqlQuery, read: (text: string) => void): Promise<void> {
    await this.#guard(action, async () => {
      const result = await this.#client.query({
        query: query.sql,
        query_params: query.params,
        format: 'JSONCompactEachRow',
        ...(query.settings ? { clickhouse_settings: query.settings as ClickHouseSettings } : {}),
      })
      read(await result.text())
    })
  }

  /** A call that changes nothing: retried on any transient failure. */
  #read<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(call, isRetryableRead, this.#retry)
  }

  /** A delete or an insert: retried only when it provably never ran (never blindly). */
  #write<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(call, isRetryableWrite, this.#retry)
  }

  async #guard<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (err) {
      throw translateError(err, this.#scope, action)
    }
  }
}

const WIDE_INTEGER = /^(?:Nullable\()?U?Int(?:64|128|256)\)?$/

/** A 64-bit or wider integer, which JSON formats quote, as a number when a number holds it exactly. */
function unquoteWideInteger(value: unknown, type: unknown): unknown {
  if (typeof value !== 'string' || typeof type !== 'string' || !WIDE_INTEGER.test(type)) return value
  const number = Number(value)
  return Number.isSafeInteger(number) ? number : value
}
