import type { BatchGrid, CustomerSpec, Window } from '../plan/model.js'
import type { UnitWindow } from './warehouse.js'

/** The units of a grouped figures query, as the query counts them: per customer a range, and its cells in it. */
export interface UnitSpans {
  /** Each customer once, over the range from its first unit's start to its last unit's end. */
  customers: CustomerSpec[]
  /** The grid cells of each customer's units: the cells between them are not counted. */
  cells: Map<string, number[]>
}

/**
 * Spans of `units` on `grid`. A unit's window is its grid cell, clipped only at its
 * customer's own range: the span clips the same cells the same way, so a cell counted
 * under the span holds exactly its unit's rows.
 */
export function unitSpans(units: readonly UnitWindow[], grid: BatchGrid): UnitSpans {
  const windows = new Map<string, Window>()
  const cells = new Map<string, Set<number>>()
  for (const { customer, window } of units) {
    if (window.end <= window.start) continue
    const span = windows.get(customer)
    if (span) {
      span.start = Math.min(span.start, window.start)
      span.end = Math.max(span.end, window.end)
    } else {
      windows.set(customer, { start: window.start, end: window.end })
      cells.set(customer, new Set())
    }
    cells.get(customer)?.add(Math.floor((window.start - grid.origin) / grid.stepMs))
  }
  return {
    customers: [...windows].map(([id, window]) => ({ id, window })),
    cells: new Map([...cells].map(([id, set]) => [id, [...set]])),
  }
}
