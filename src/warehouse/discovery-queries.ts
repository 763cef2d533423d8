import type { Window } from '../plan/model.js'
import { quoteIdentifier, quoteTable } from './identifiers.js'
import type { SqlQuery } from './sql-query.js'
import { windowSeconds } from './sql-values.js'
import type { DiscoveredTable } from './warehouse.js'

/**
 * The customers of a table with at least `minRows` rows in `window`, but the excluded
 * ones, in one grouped query: a row per customer found, in id order.
 */
export function discoveryCountQuery(source: DiscoveredTable, window: Window, minRows: number, exclude: readonly string[]): SqlQuery {
  const customer = quoteIdentifier(source.customerColumn, 'customer column')
  const time = quoteIdentifier(source.timeColumn, 'time column')
  const { start, end } = windowSeconds(window, 'discovery window')
  const sql = [
    `SELECT ${customer} AS bf_customer, count() AS bf_rows`,
    `FROM ${quoteTable(source)}`,
    `WHERE ${time} >= {start:DateTime} AND ${time} < {end:DateTime}`,
    ...(exclude.length > 0 ? [`  AND ${customer} NOT IN {exclude:Array(String)}`] : []),
    'GROUP BY bf_customer',
    'HAVING bf_rows >= {min_rows:UInt64}',
    'ORDER BY bf_customer',
  ].join('\n')
  return { sql, params: { start, end, min_rows: minRows, ...(exclude.length > 0 ? { exclude: [...exclude] } : {}) } }
}

/** The parameters a discovery query may use: the cluster's window and bf's name of the cluster. */
export function discoveryQueryParams(window: Window, cluster: string): Record<string, string | number> {
  const { start, end } = windowSeconds(window, 'discovery window')
  return { start, end, cluster }
}

/** `String`, and the same behind `Nullable` or `LowCardinality`: what a discovery query's column must be. */
export function isStringType(type: string): boolean {
  const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)?.[1]
  return inner === undefined ? type === 'String' : isStringType(inner)
}

/** Ids found, each once, without the excluded ones and empty values, sorted: the same data always gives the same list. */
export function foundCustomers(ids: Iterable<unknown>, exclude: readonly string[]): string[] {
  const excluded = new Set(exclude)
  const found = new Set<string>()
  for (const id of ids) if (typeof id === 'string' && id !== '' && !excluded.has(id)) found.add(id)
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
