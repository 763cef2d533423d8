import { UserError } from '../errors.js'
import type { TableRef } from '../plan/model.js'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name)
}

/**
 * The only way a name enters SQL text: validated, then backtick-quoted. ClickHouse cannot
 * bind identifiers in ALTER, so anything else is refused rather than escaped.
 */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  if (!isIdentifier(name)) {
    throw new UserError(`bf refuses the ${what} ${JSON.stringify(name)}: names must match ${IDENTIFIER.source}`)
  }
  return `\`${name}\``
}

/** `` `db`.`table` `` */
export function quoteTable(ref: TableRef): string {
  return `${quoteIdentifier(ref.database, 'database name')}.${quoteIdentifier(ref.table, 'table name')}`
}

/** `` `a`, `b` `` for `uniqExact(…)` and similar. */
export function quoteColumns(columns: readonly string[], what = 'column name'): string {
  if (columns.length === 0) throw new UserError(`bf needs at least one ${what}`)
  return columns.map((column) => quoteIdentifier(column, what)).join(', ')
}
