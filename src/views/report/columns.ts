import type { Millis } from '../../plan/model.js'

/** How many batches one column holds: each its own, or a day, an ISO week, a month, a year. */
export type ColumnSize = 'batch' | 'day' | 'week' | 'month' | 'year'

/** One column of a grid: the batches (by label) it holds. */
export interface Column {
  /** `2026-01-15`, `2026-W03`, `2026-01`, `2026`. */
  label: string
  labels: string[]
}

/** Columns a grid shows at most: about a quarter of days, which still fits a wide screen. */
export const MAX_COLUMNS = 100
/** Cells a grid holds at most (customers × columns), so that the page opens in a moment, on a phone too. */
export const MAX_CELLS = 25_000

const DAY_MS = 86_400_000

const isoDay = (start: Millis): string => new Date(start).toISOString().slice(0, 10)

/** `2026-W03`: the ISO week (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(start: Millis): string {
  const day = new Date(Math.floor(start / DAY_MS) * DAY_MS)
  const weekday = (day.getUTCDay() + 6) % 7
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS))
  return `${year}-W${String(week).padStart(2, '0')}`
}

const KEYS: Record<Exclude<ColumnSize, 'batch'>, (start: Millis) => string> = {
  day: isoDay,
  week: isoWeek,
  month: (start) => new Date(start).toISOString().slice(0, 7),
  year: (start) => new Date(start).toISOString().slice(0, 4),
}

function grouped(batches: readonly { label: string; start: Millis }[], key: (start: Millis) => string): Column[] {
  const columns: Column[] = []
  for (const batch of batches) {
    const label = key(batch.start)
    const last = columns.at(-1)
    if (last?.label === label) last.labels.push(batch.label)
    else columns.push({ label, labels: [batch.label] })
  }
  return columns
}

/**
 * The columns of a grid: one per batch while they fit (at most `MAX_COLUMNS`, and
 * `MAX_CELLS` cells for `rows` rows), else batches grouped by the smallest of day, week,
 * month and year that fits, else by year.
 */
export function chooseColumns(batches: readonly { label: string; start: Millis }[], stepMs: number, rows: number): { size: ColumnSize; columns: Column[] } {
  const fits = (count: number): boolean => count <= MAX_COLUMNS && count * Math.max(1, rows) <= MAX_CELLS
  const single = batches.map((batch) => ({ label: batch.label, labels: [batch.label] }))
  if (fits(single.length)) return { size: 'batch', columns: single }
  let columns = single
  for (const size of ['day', 'week', 'month', 'year'] as const) {
    if (size === 'day' && stepMs >= DAY_MS) continue
    columns = grouped(batches, KEYS[size])
    if (fits(columns.length) || size === 'year') return { size, columns }
  }
  return { size: 'year', columns }
}
