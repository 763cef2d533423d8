import type { TargetSpec, Window } from '../plan/model.js'
import { quoteIdentifier, quoteTable } from './identifiers.js'
import type { SqlQuery } from './sql-query.js'
import { toNumber } from './sql-query.js'
import { windowSeconds } from './sql-values.js'

/** One delete whose rewrite is estimated: the customers it names and the ranges it removes. */
export interface DeleteScope {
  customers: readonly string[]
  ranges: readonly Window[]
}

/** Active parts, their rows and their bytes on disk. */
export interface PartsFigures {
  parts: number
  rows: number
  bytes: number
}

/** One active part that holds at least one row some delete removes, and which deletes (their positions). */
export interface TouchedPart {
  name: string
  rows: number
  bytes: number
  deletes: number[]
}

/**
 * The active parts of the target holding at least one row of some delete, with every
 * delete's own condition, in one query: each row of the customers inside the deletes'
 * overall span (the primary key prunes on both) is matched to the deletes that remove it
 * (its customer's slot lists their ranges, as three arrays; `transform` finds the slot by hashing), grouped
 * on `_part`, then joined to `system.parts` (active) for the parts' rows and bytes. The
 * deletes travel as bound arrays: the text is the same for one delete or a thousand.
 */
export function rewriteQuery(target: TargetSpec, deletes: readonly DeleteScope[]): SqlQuery {
  if (deletes.length === 0) throw new Error('no delete to estimate')
  const table = quoteTable({ database: target.database, table: target.table })
  const customerColumn = quoteIdentifier(target.customerColumn, 'customer column')
  const timeColumn = quoteIdentifier(target.timeColumn, 'time column')
  const slots = new Map<string, { deletes: number[]; starts: number[]; ends: number[] }>()
  let start = Infinity
  let end = -Infinity
  deletes.forEach((scope, position) => {
    for (const range of scope.ranges) {
      const seconds = windowSeconds(range, 'delete range')
      start = Math.min(start, seconds.start)
      end = Math.max(end, seconds.end)
      for (const customer of scope.customers) {
        let slot = slots.get(customer)
        if (!slot) slots.set(customer, (slot = { deletes: [], starts: [], ends: [] }))
        slot.deletes.push(position)
        slot.starts.push(seconds.start)
        slot.ends.push(seconds.end)
      }
    }
  })
  const customers = [...slots.keys()]
  const sql = [
    'SELECT touched.bf_part AS bf_part, touched.bf_deletes AS bf_deletes, parts.rows AS bf_rows, parts.bytes_on_disk AS bf_bytes',
    'FROM (',
    '  SELECT bf_part, groupUniqArray(bf_delete) AS bf_deletes',
    '  FROM (',
    '    SELECT bf_part, arrayJoin(arrayFilter((d, s, e) -> bf_time >= s AND bf_time < e,',
    '      {deletes:Array(Array(UInt32))}[bf_slot], {starts:Array(Array(UInt32))}[bf_slot], {ends:Array(Array(UInt32))}[bf_slot])) AS bf_delete',
    '    FROM (',
    `      SELECT _part AS bf_part, toUnixTimestamp(${timeColumn}) AS bf_time,`,
    `        transform(${customerColumn}, {customers:Array(String)}, {slots:Array(UInt32)}, toUInt32(0)) AS bf_slot`,
    `      FROM ${table}`,
    `      WHERE ${customerColumn} IN {customers:Array(String)} AND ${timeColumn} >= {start:DateTime} AND ${timeColumn} < {end:DateTime}`,
    '    )',
    '  )',
    '  GROUP BY bf_part',
    ') AS touched',
    'INNER JOIN (',
    '  SELECT name, rows, bytes_on_disk FROM system.parts',
    '  WHERE database = {database:String} AND table = {table:String} AND active',
    ') AS parts ON parts.name = touched.bf_part',
    'ORDER BY bf_part',
  ].join('\n')
  return {
    sql,
    params: {
      customers,
      slots: customers.map((_, index) => index + 1),
      deletes: [...slots.values()].map((slot) => slot.deletes),
      starts: [...slots.values()].map((slot) => slot.starts),
      ends: [...slots.values()].map((slot) => slot.ends),
      start,
      end,
      database: target.database,
      table: target.table,
    },
  }
}

/** One row of `rewriteQuery`'s answer. */
export function parseTouchedPart(row: Record<string, unknown>): TouchedPart {
  const deletes = Array.isArray(row.bf_deletes) ? row.bf_deletes.map(toNumber) : []
  return { name: String(row.bf_part), rows: toNumber(row.bf_rows), bytes: toNumber(row.bf_bytes), deletes }
}

/** Each delete's parts, rows and bytes (in the order of the deletes), and those of every touched part once (a part found by several queries is one part). */
export function rewriteFigures(deletes: number, parts: readonly TouchedPart[]): { deletes: PartsFigures[]; union: PartsFigures } {
  const each = Array.from({ length: deletes }, () => ({ parts: 0, rows: 0, bytes: 0 }))
  const union = { parts: 0, rows: 0, bytes: 0 }
  const seen = new Set<string>()
  for (const part of parts) {
    if (!seen.has(part.name)) {
      seen.add(part.name)
      union.parts++
      union.rows += part.rows
      union.bytes += part.bytes
    }
    for (const position of part.deletes) {
      const figures = each[position]
      if (!figures) continue
      figures.parts++
      figures.rows += part.rows
      figures.bytes += part.bytes
    }
  }
  return { deletes: each, union }
}
