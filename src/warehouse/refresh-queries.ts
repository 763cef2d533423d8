import type { BatchGrid, CustomerSpec, TableRef } from '../plan/model.js'
import { quoteColumns, quoteIdentifier, quoteTable } from './identifiers.js'
import type { SqlQuery } from './sql-query.js'
import { toNumber } from './sql-query.js'
import { toEpochSeconds } from './sql-values.js'
import type { CountedSource } from './table-rules.js'
import type { TableFacts } from './warehouse.js'

/** A figures query and the customers its rows name by position. */
export interface FiguresQuery extends SqlQuery {
  /** The ids bound as `{customers:Array(String)}`: position `p` of a row is `customers[p - 1]`. */
  customers: readonly string[]
}

/**
 * Rows and distinct keys per customer and grid cell, for every customer at once. Each
 * customer's own range is bound as parallel arrays and applied per row with `transform`
 * (a hash lookup), so a customer whose range starts mid-cell counts only its own rows.
 * Cells use `floor`, as bf's grid does (`intDiv` truncates toward zero before the origin).
 *
 * A row names its customer by 1-based position in the bound ids, so it carries only
 * numbers: read the answer with `readFiguresRows`. The position is looked up with
 * `transform` too: `indexOf` would scan the whole array for every row counted.
 *
 * With `cells`, only those cells of each customer are counted (a verify's units, not the
 * days between them): bound as parallel arrays of positions and cells, zipped into
 * `(position, cell)` pairs: a constant set the server builds once.
 */
export function figuresQuery(source: CountedSource, customers: readonly CustomerSpec[], grid: BatchGrid, options: { final?: boolean; cells?: ReadonlyMap<string, readonly number[]> } = {}): FiguresQuery {
  const customer = quoteIdentifier(source.customerColumn, 'customer column')
  const time = quoteIdentifier(source.timeColumn, 'time column')
  const seconds = `toInt64(toUnixTimestamp(${time}))`
  const ids: string[] = []
  const starts: number[] = []
  const ends: number[] = []
  for (const spec of customers) {
    if (spec.window.end <= spec.window.start) continue
    ids.push(spec.id)
    starts.push(toEpochSeconds(spec.window.start, `range start of customer ${JSON.stringify(spec.id)}`))
    ends.push(toEpochSeconds(spec.window.end, `range end of customer ${JSON.stringify(spec.id)}`))
  }
  if (new Set(ids).size !== ids.length) throw new Error('refresh was given the same customer twice')
  const sql = [
    'SELECT',
    `  transform(${customer}, {customers:Array(String)}, arrayEnumerate({customers:Array(String)}), toUInt32(0)) AS bf_customer,`,
    `  toInt64(floor((${seconds} - {origin:Int64}) / {step:Int64})) AS bf_cell,`,
    '  count() AS bf_rows,',
    `  uniqExact(${quoteColumns(source.keyColumns, 'key column')}) AS bf_keys`,
    `FROM ${quoteTable(source)}${options.final ? ' FINAL' : ''}`,
    `WHERE ${customer} IN {customers:Array(String)}`,
    `  AND ${time} >= {from:DateTime} AND ${time} < {to:DateTime}`,
    `  AND ${seconds} >= transform(${customer}, {customers:Array(String)}, {starts:Array(Int64)}, toInt64(0))`,
    `  AND ${seconds} < transform(${customer}, {customers:Array(String)}, {ends:Array(Int64)}, toInt64(0))`,
    ...(options.cells ? ['  AND (bf_customer, bf_cell) IN arrayZip({cell_customers:Array(UInt32)}, {cells:Array(Int64)})'] : []),
    'GROUP BY bf_customer, bf_cell',
  ].join('\n')
  return {
    sql,
    params: {
      origin: toEpochSeconds(grid.origin, 'grid origin'),
      step: toEpochSeconds(grid.stepMs, 'batch duration'),
      customers: ids,
      starts,
      ends,
      from: starts.reduce((min, start) => Math.min(min, start), starts[0] ?? 0),
      to: ends.reduce((max, end) => Math.max(max, end), ends[0] ?? 0),
      ...(options.cells ? cellPairs(ids, options.cells) : {}),
    },
    customers: ids,
  }
}

/** `(position, cell)` of every cell asked for, the position 1-based in `ids`, as two parallel arrays. */
function cellPairs(ids: readonly string[], cells: ReadonlyMap<string, readonly number[]>): { cell_customers: number[]; cells: number[] } {
  const pairs = { cell_customers: [] as number[], cells: [] as number[] }
  ids.forEach((id, at) => {
    for (const cell of cells.get(id) ?? []) {
      pairs.cell_customers.push(at + 1)
      pairs.cells.push(cell)
    }
  })
  return pairs
}

/**
 * Engines whose merges collapse rows with equal sort keys. Counted with `FINAL`, a row
 * re-inserted with the same key (a retried job) is not a duplicate; a stale row under
 * another key (the reason for the delete) still is.
 */
export function collapsesOnMerge(engine: string | undefined): boolean {
  return /^(Shared|Replicated)?(Replacing|Collapsing|VersionedCollapsing)MergeTree$/.test(engine ?? '')
}

const TAB = 9
const NEWLINE = 10
const RETURN = 13
const SPACE = 32
const MINUS = 45
const QUOTE = 34
const ZERO = 48
const NINE = 57
/** Digits a double holds exactly whatever they are: longer numbers are left to `Number`. */
const EXACT_DIGITS = 15

/**
 * Reads the answer of a `figuresQuery` as `JSONCompactEachRow`, 64-bit integers quoted or
 * not (`output_format_json_quote_64bit_integers`, left as the server has it: on the embedded
 * engine a setting per query costs a call to reset it): one `[position, cell, rows, keys]`
 * a line, each with the customer id of its position in `customers` (the query's). Scanned
 * rather than parsed as JSON: a refresh reads a row per unit, and a parser's string and
 * array per row cost more than the counting. Anything but four integers, a position outside
 * `customers` or a negative count is an error, never a zero or NaN; counts past 2^53 (no
 * unit holds that many rows) come out rounded.
 */
export function readFiguresRows(text: string, customers: readonly string[], onRow: (customer: string, cell: number, rows: number, keys: number) => void): void {
  const scanner = new CompactRowScanner(text, customers.length)
  while (scanner.nextRow()) {
    const position = scanner.integer()
    scanner.skip(',')
    const cell = scanner.integer()
    scanner.skip(',')
    const rows = scanner.integer()
    scanner.skip(',')
    const keys = scanner.integer()
    scanner.endRow()
    const customer = customers[position - 1]
    if (customer === undefined || rows < 0 || keys < 0) throw scanner.badRow()
    onRow(customer, cell, rows, keys)
  }
}

/** Integer arrays, one a line, read where they stand in the text. */
class CompactRowScanner {
  #at = 0

  constructor(
    readonly text: string,
    readonly customerCount: number,
  ) {}

  /** Past blank lines and the next row's `[`; false at the end of the text. */
  nextRow(): boolean {
    const text = this.text
    let at = this.#at
    for (let code = text.charCodeAt(at); code === NEWLINE || code === RETURN || code === SPACE || code === TAB; code = text.charCodeAt(++at));
    this.#at = at
    if (at >= text.length) return false
    this.skip('[')
    return true
  }

  endRow(): void {
    this.skip(']')
    this.#skipBlanks()
    if (this.#at < this.text.length && this.text.charCodeAt(this.#at) !== NEWLINE) throw this.badRow()
  }

  skip(char: string): void {
    this.#skipBlanks()
    if (this.text[this.#at] !== char) throw this.badRow()
    this.#at++
  }

  /** An integer, bare or quoted as ClickHouse writes 64-bit ones by default (`"123"`). */
  integer(): number {
    this.#skipBlanks()
    const quoted = this.text.charCodeAt(this.#at) === QUOTE
    if (quoted) this.#at++
    const value = this.#bareInteger()
    if (quoted) {
      if (this.text.charCodeAt(this.#at) !== QUOTE) throw this.badRow()
      this.#at++
    }
    return value
  }

  #bareInteger(): number {
    const text = this.text
    let at = this.#at
    const negative = text.charCodeAt(at) === MINUS
    if (negative) at++
    const digits = at
    let value = 0
    for (let code = text.charCodeAt(at); code >= ZERO && code <= NINE; code = text.charCodeAt(++at)) value = value * 10 + (code - ZERO)
    this.#at = at
    if (at === digits) throw this.badRow()
    if (at - digits > EXACT_DIGITS) value = Number(text.slice(digits, at))
    if (!Number.isFinite(value)) throw this.badRow()
    return negative ? -value : value
  }

  /** The text from the start of the row on: an error the server sent after some rows shows in it. */
  badRow(): Error {
    const start = this.text.lastIndexOf('\n', this.#at - 1) + 1
    const excerpt = this.text.length - start > 200 ? `${this.text.slice(start, start + 200)}…` : this.text.slice(start)
    return new Error(`unexpected figures row ${JSON.stringify(excerpt)}: not [customer 1..${this.customerCount}, cell, rows, keys]`)
  }

  #skipBlanks(): void {
    const text = this.text
    let at = this.#at
    for (let code = text.charCodeAt(at); code === SPACE || code === TAB; code = text.charCodeAt(++at));
    this.#at = at
  }
}

/** Engine, keys and columns of several tables in one query; a missing table has no row. */
export function tableFactsQuery(refs: readonly TableRef[]): SqlQuery {
  for (const ref of refs) quoteTable(ref)
  const sql = [
    'SELECT t.database AS bf_database, t.name AS bf_table, t.engine AS bf_engine,',
    '  t.sorting_key AS bf_sorting_key, t.partition_key AS bf_partition_key, c.columns AS bf_columns',
    'FROM (',
    '  SELECT database, name, engine, sorting_key, partition_key FROM system.tables',
    '  WHERE database IN {databases:Array(String)} AND name IN {tables:Array(String)}',
    ') AS t',
    'LEFT JOIN (',
    '  SELECT database, table, groupArray(tuple(position, name, type)) AS columns FROM system.columns',
    '  WHERE database IN {databases:Array(String)} AND table IN {tables:Array(String)}',
    '  GROUP BY database, table',
    ') AS c ON t.database = c.database AND t.name = c.table',
  ].join('\n')
  return {
    sql,
    params: { databases: [...new Set(refs.map((ref) => ref.database))], tables: [...new Set(refs.map((ref) => ref.table))] },
  }
}

export function parseTableFacts(row: Record<string, unknown>): TableFacts {
  const columns = Array.isArray(row.bf_columns) ? (row.bf_columns as unknown[][]) : []
  return {
    database: String(row.bf_database),
    table: String(row.bf_table),
    engine: String(row.bf_engine),
    sortingKey: String(row.bf_sorting_key ?? ''),
    partitionKey: String(row.bf_partition_key ?? ''),
    columns: [...columns]
      .sort((a, b) => toNumber(a[0]) - toNumber(b[0]))
      .map(([, name, type]) => ({ name: String(name), type: String(type) })),
  }
}


/**
 * Unfinished mutations of a table. With a cluster, the most any one replica has: the
 * limits that matter (`number_of_mutations_to_throw`) are per replica.
 */
export function pendingMutationsQuery(ref: TableRef, onCluster?: string): SqlQuery {
  quoteTable(ref)
  const params = { database: ref.database, table: ref.table }
  if (onCluster === undefined) {
    return {
      sql: 'SELECT count() AS bf_pending FROM system.mutations WHERE database = {database:String} AND table = {table:String} AND is_done = 0',
      params,
    }
  }
  return {
    sql: [
      'SELECT max(bf_host_pending) AS bf_pending FROM (',
      '  SELECT hostName() AS bf_host, count() AS bf_host_pending',
      '  FROM clusterAllReplicas({cluster:String}, system.mutations)',
      '  WHERE database = {database:String} AND table = {table:String} AND is_done = 0',
      '  GROUP BY bf_host',
      ')',
    ].join('\n'),
    params: { ...params, cluster: onCluster },
    settings: { skip_unavailable_shards: 0 },
  }
}
