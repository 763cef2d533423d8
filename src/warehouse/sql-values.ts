import type { Millis, Window } from '../plan/model.js'

/** DateTime's range: epoch seconds that fit an unsigned 32-bit integer. */
const MAX_DATETIME_SECONDS = 4_294_967_295

/**
 * Epoch seconds for a `{name:DateTime}` parameter. A number is read by ClickHouse as a Unix
 * timestamp, whatever the server's or session's time zone; a 'YYYY-MM-DD hh:mm:ss' text
 * would be read in the session's zone.
 */
export function toEpochSeconds(ms: Millis, what = 'time'): number {
  if (!Number.isInteger(ms) || ms % 1000 !== 0) {
    throw new Error(`${what} ${String(ms)} is not a whole second: ClickHouse DateTime has second precision`)
  }
  const seconds = ms / 1000
  if (seconds < 0 || seconds > MAX_DATETIME_SECONDS) {
    throw new Error(`${what} ${new Date(ms).toISOString()} is outside ClickHouse DateTime's range (1970 to 2106)`)
  }
  return seconds
}

/** Throws unless `window` is a non-empty `[start, end)` of whole seconds. */
export function windowSeconds(window: Window, what = 'window'): { start: number; end: number } {
  const start = toEpochSeconds(window.start, `${what} start`)
  const end = toEpochSeconds(window.end, `${what} end`)
  if (end <= start) {
    throw new Error(`${what} is empty or inverted: ${new Date(window.start).toISOString()} is not before ${new Date(window.end).toISOString()}`)
  }
  return { start, end }
}

/**
 * The bound parameters of a unit's `INSERT … SELECT` and verify checks:
 * `{customer:String}`, `{start:DateTime}`, `{end:DateTime}`, `{cluster:String}`.
 */
export function unitParams(unit: { customer: string; window: Window; cluster: string }): Record<string, string | number> {
  const { start, end } = windowSeconds(unit.window, 'batch')
  return { customer: unit.customer, start, end, cluster: unit.cluster }
}
