import type { Millis } from './model.js'
import { TIMESTAMP_PATTERN } from './patterns.js'

const TIMESTAMP = new RegExp(TIMESTAMP_PATTERN)

/**
 * `2026-01-15T00:00:00Z` → epoch milliseconds; undefined when the text is not an RFC 3339
 * UTC timestamp or names a day or time that does not exist (`2026-02-30`, `24:00:00`).
 */
export function parseTimestamp(text: string): Millis | undefined {
  if (!TIMESTAMP.test(text)) return undefined
  const [year, month, day, hour, minute, second] = [0, 5, 8, 11, 14, 17].map((at, i) => Number(text.slice(at, i === 0 ? 4 : at + 2)))
  const fraction = text.length > 20 ? Number(text.slice(20, -1).padEnd(3, '0').slice(0, 3)) : 0
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, fraction)
  const back = new Date(ms)
  const exists =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month! - 1 &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hour &&
    back.getUTCMinutes() === minute &&
    back.getUTCSeconds() === second
  return exists ? ms : undefined
}

/** Epoch milliseconds → `2026-01-15T00:00:00Z`; milliseconds appear only when not zero. */
export function formatTimestamp(ms: Millis): string {
  const iso = new Date(ms).toISOString()
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso
}
