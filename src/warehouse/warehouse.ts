import type { BatchGrid, CustomerSpec, ExpectedSpec, Millis, SettingValue, TableRef, TargetSpec, Window } from '../plan/model.js'

import type { LoadMetric } from './load-queries.js'
import type { DeleteScope, PartsFigures } from './rewrite-query.js'

export { WarehouseError } from './errors.js'
export type { LoadMetric } from './load-queries.js'
export type { DeleteScope, PartsFigures } from './rewrite-query.js'

/** What `system.tables` says about a table. */
export interface TableFacts {
  database: string
  table: string
  engine: string
  sortingKey: string
  partitionKey: string
  columns: { name: string; type: string }[]
}

/** Live figures of one unit (customer × batch). Absent units have no rows. */
export interface UnitFigures {
  /** Rows in the target's read table, as queries see them (`FINAL` when the target's engine collapses equal sort keys). */
  rows: number
  /** Distinct keys (`uniqExact(keyColumns)`) in the read table. */
  keys: number
  /** Distinct keys in the expected source, when the plan has one. */
  expected?: number
}

/** The tables a plan names: its target (and read table) and its expected source. */
export interface TargetRequest {
  target: TargetSpec
  expected?: ExpectedSpec
}

/**
 * What one cluster says about the tables a plan names, read with one grouped query:
 * a table that does not exist is absent.
 */
export interface TargetDescription {
  target?: TableFacts
  readTable?: TableFacts
  expectedTable?: TableFacts
  /** Unfinished mutations on the target table (0 when it does not exist). */
  pendingMutations: number
}

export interface RefreshRequest extends TargetRequest {
  /** Each customer with the range to read; figures are cut on `grid`. */
  customers: CustomerSpec[]
  grid: BatchGrid
  /**
   * Only the units' figures, as a verify step needs them: the tables' facts are read once
   * per warehouse and reused, and pending mutations are not counted (`pendingMutations` is 0).
   */
  unitsOnly?: boolean
}

/** One unit whose figures a verify asks for: its customer and its (possibly clipped) batch window. */
export interface UnitWindow {
  customer: string
  window: Window
}

/** Units to count together, as a verify step counts one: table facts read once per warehouse, no pending mutations. */
export interface UnitFiguresRequest extends TargetRequest {
  units: readonly UnitWindow[]
  grid: BatchGrid
}

/** The answer of one refresh of one cluster: a constant number of grouped queries. */
export interface LiveFigures extends TargetDescription {
  /** Figures of the unit whose batch starts at `batchStart` (clipped start) for `customer`. */
  unit(customer: string, batchStart: Millis): UnitFigures
  /** How many queries the refresh sent (for tests and benchmarks). */
  queries: number
}

/** A table counted to find customers: its time and customer columns. */
export interface DiscoveredTable extends TableRef {
  timeColumn: string
  customerColumn: string
}

/**
 * How a cluster finds its customers: the customers of a table with at least `minRows`
 * rows over `window`, or the ids a query returns (bound `{start:DateTime}` and
 * `{end:DateTime}` are `window`'s, `{cluster:String}` bf's name of the cluster).
 */
export interface DiscoveryRequest {
  source: { table: DiscoveredTable; minRows: number } | { query: string }
  window: Window
  /** Ids left out even when found. */
  exclude: readonly string[]
}

export interface DeleteRequest {
  target: TargetSpec
  /** One customer (`customer = {customer:String}`), or several in one delete (`customer IN {customers:Array(String)}`). */
  customer: string | string[]
  /** The time ranges to delete, sorted and disjoint: the units this apply re-runs, contiguous ones merged. */
  ranges: Window[]
  mode: 'mutation' | 'lightweight'
  settings: Record<string, SettingValue>
  /** `ON CLUSTER` name, when the cluster has one. */
  onCluster?: string
  /**
   * Unique per delete step: embedded in the predicate so the mutation can be found on every
   * replica. Characters ClickHouse never escapes only: `[A-Za-z0-9_.:/@+-]`, 1 to 128.
   */
  tag: string
}

/** The statement as it will be sent: SQL text with `{name:Type}` placeholders and the values bound to them. */
export interface Statement {
  sql: string
  params: Record<string, string | number | string[]>
  settings: Record<string, SettingValue>
}

/** Deletes of one cluster whose rewrite is estimated together. */
export interface RewriteRequest {
  target: TargetSpec
  deletes: readonly DeleteScope[]
}

/** What the deletes of a `RewriteRequest` rewrite: each one's parts (in order), and every part any of them touches, once. */
export interface RewriteAnswer {
  deletes: PartsFigures[]
  union: PartsFigures
}

export interface MutationOnHost {
  host: string
  mutationId: string
  isDone: boolean
  partsToDo: number
  latestFailReason?: string
  latestFailTime?: string
}

/** A delete's mutation to look for: its request (table, tag) and the server time it was submitted after. */
export interface MutationLookup {
  request: DeleteRequest
  since: Millis
}

export interface MutationStatus {
  /** Replicas that must report the mutation (1 without `ON CLUSTER`). */
  replicas: number
  hosts: MutationOnHost[]
  /** Every expected replica reports the mutation done. */
  done: boolean
}

export interface InsertResult {
  /**
   * `written_rows` of the query's summary (rows written to every table, materialized views
   * included); null when the server gives no summary (the embedded engine).
   */
  writtenRows: number | null
}

export type QueryStatus = 'running' | 'finished' | 'failed' | 'unknown'

/**
 * One ClickHouse deployment as the engine sees it. Every value reaches SQL as a bound
 * parameter; every identifier has been validated before it reaches SQL text.
 */
export interface Warehouse {
  readonly cluster: string
  ping(): Promise<void>
  /** The server's clock (mutations are matched by `create_time` against it). */
  serverTime(): Promise<Millis>
  /** The plan's tables and the target's pending mutations, as refresh reads them, without counting rows. */
  describeTarget(request: TargetRequest): Promise<TargetDescription>
  refresh(request: RefreshRequest): Promise<LiveFigures>
  /** The customers `request` finds, each once, sorted, with one query. */
  discoverCustomers(request: DiscoveryRequest): Promise<string[]>
  /**
   * Figures of each unit of `request`, in its order, from one grouped query per table
   * (`GROUP BY` customer and batch, only the units' own cells), however many units and
   * customers it names: the caller decides how many units one query may cover.
   */
  unitFigures(request: UnitFiguresRequest): Promise<UnitFigures[]>
  pendingMutations(ref: TableRef): Promise<number>
  /**
   * The active parts of the target's local table holding at least one row each delete
   * removes (`rewrite-query.ts`), in one query for all of them: found from the data, as
   * the server bf talks to holds it (one replica).
   */
  rewriteEstimate(request: RewriteRequest): Promise<RewriteAnswer>
  /** The exact statement `submitDelete` would send. */
  deleteStatement(request: DeleteRequest): Statement
  /**
   * Submits the delete without waiting for the mutation to finish. Resolves once the server
   * accepted it; with `ON CLUSTER`, hosts that had not run it yet (codes 159/341, unfinished
   * rows) still count as accepted: the mutation shows up there later, which awaiting it sees.
   * Rejects when a host refused it.
   */
  submitDelete(request: DeleteRequest): Promise<void>
  /** Our mutation (by table, tag and create time ≥ `since`) on every replica; undefined when no replica has it. */
  findMutation(request: DeleteRequest, since: Millis): Promise<MutationStatus | undefined>
  /** `findMutation` of each lookup, in order, with one query per table. */
  findMutations(lookups: readonly MutationLookup[]): Promise<(MutationStatus | undefined)[]>
  /** Runs an `INSERT … SELECT` with bound parameters under a fixed query id. */
  insert(sql: string, params: Record<string, string | number>, options: { queryId: string; deduplicationToken: string }): Promise<InsertResult>
  /** What the server knows of a query id (running, finished, failed), for reconciling after a crash. */
  queryStatus(queryId: string): Promise<QueryStatus>
  /**
   * One built-in load figure of the target table (`load-queries.ts`), the largest over the
   * replicas of the cluster's `ON CLUSTER` name when it has one: replication delay in
   * seconds, replication queue, active parts in one partition, share of the merge pool busy.
   */
  loadMetric(metric: LoadMetric, table: TableRef): Promise<number>
  /** Runs a query returning one value (verify checks). */
  scalar(sql: string, params: Record<string, string | number>): Promise<unknown>
  close(): Promise<void>
}
