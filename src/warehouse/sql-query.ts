import type { SettingValue } from '../plan/model.js'

/** A query bf sends: text with `{name:Type}` placeholders, the bound values and per-query settings. */
export interface SqlQuery {
  sql: string
  params: Record<string, unknown>
  settings?: Record<string, SettingValue>
}

/** Reads the 64-bit integers ClickHouse sends as JSON strings (and the embedded engine as numbers). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value !== '') return Number(value)
  return 0
}
