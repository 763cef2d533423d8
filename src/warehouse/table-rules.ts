import type { TableRef } from '../plan/model.js'
import type { TableFacts } from './warehouse.js'

/*
 * What a table must be for bf to count it, as pure rules over its facts: refresh applies
 * them before it queries, and the engine's table checks word the same problems from them.
 */

/** A table whose rows are counted per customer and grid cell. */
export interface CountedSource extends TableRef {
  timeColumn: string
  customerColumn: string
  keyColumns: string[]
}

/** `database.table`: how facts and figures name a table. */
export function tableKey(ref: TableRef): string {
  return `${ref.database}.${ref.table}`
}

/** `Nullable(T)` and `LowCardinality(T)` count as T. */
function baseType(type: string): string {
  const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)?.[1]
  return inner === undefined ? type : baseType(inner)
}

/**
 * Why `source` cannot be counted on `facts`, if it cannot: a column it names is missing,
 * the time column cannot take bound DateTime bounds, or the customer column cannot hold
 * the plan's customer ids. `role` names the plan section (`target`, `expected`).
 */
export function countedColumnsProblem(source: CountedSource, facts: TableFacts, role: string): string | undefined {
  const types = new Map(facts.columns.map((column) => [column.name, baseType(column.type)]))
  const table = tableKey(facts)
  const missing = [source.timeColumn, source.customerColumn, ...source.keyColumns].filter((column) => !types.has(column))
  if (missing.length > 0) return `${table} has no column ${missing.join(', ')} (check ${role}.timeColumn, ${role}.customerColumn and ${role}.keyColumns)`
  const time = types.get(source.timeColumn) ?? ''
  if (!/^(Date|Date32|DateTime|DateTime64)(\(|$)/.test(time)) {
    return `${table}.${source.timeColumn} is ${time}, not a Date or DateTime: ${role}.timeColumn must be one`
  }
  const customer = types.get(source.customerColumn) ?? ''
  if (!/^(String|FixedString\(\d+\))$/.test(customer)) {
    return `${table}.${source.customerColumn} is ${customer}, not a String: ${role}.customerColumn must hold the customer ids as text`
  }
  return undefined
}
