import type { Window } from '../plan/model.js'
import type { StepRecord } from '../state/model.js'

/** Windows sorted by start, with those that touch or overlap merged: the ranges one delete removes. */
export function mergeRanges(windows: readonly Window[]): Window[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start)
  const merged: Window[] = []
  for (const window of sorted) {
    const last = merged[merged.length - 1]
    if (last && window.start <= last.end) last.end = Math.max(last.end, window.end)
    else merged.push({ start: window.start, end: window.end })
  }
  return merged
}

/** From the first range's start to the last range's end. */
export function spanOf(ranges: readonly Window[]): Window {
  const first = ranges[0]
  const last = ranges[ranges.length - 1]
  if (!first || !last) throw new Error('no ranges')
  return { start: first.start, end: last.end }
}

/** Whether `window` lies inside one of `ranges`. */
export function covers(ranges: readonly Window[], window: Window): boolean {
  return ranges.some((range) => range.start <= window.start && window.end <= range.end)
}

function parsedWindow(value: unknown): Window | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { start, end } = value as { start?: unknown; end?: unknown }
  if (typeof start !== 'string' || typeof end !== 'string') return undefined
  const window = { start: Date.parse(start), end: Date.parse(end) }
  return Number.isFinite(window.start) && Number.isFinite(window.end) && window.start < window.end ? window : undefined
}

/**
 * The ranges a recorded delete removed: its `ranges`, or the single `window` of a delete
 * recorded before deletes covered ranges. Undefined when the record says neither.
 */
export function recordedRanges(record: StepRecord): Window[] | undefined {
  const inputs = record.inputs
  if (!inputs) return undefined
  if (Array.isArray(inputs.ranges)) {
    const ranges = inputs.ranges.map(parsedWindow)
    return ranges.length > 0 && ranges.every((range) => range !== undefined) ? (ranges as Window[]) : undefined
  }
  const window = parsedWindow(inputs.window)
  return window ? [window] : undefined
}
