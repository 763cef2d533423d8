import { joinAddress } from './address.js'
import type { Batch, BatchGrid, ClusterSpec, CustomerSpec, Millis, PlanSpec, Unit, Window } from './model.js'

const DAY_MS = 86_400_000

const labels = { day: new Map<Millis, string>(), hour: new Map<Millis, string>() }
const LABELS_MAX = 100_000

/** `2026-01-15` when the grid is whole days on midnight, `2026-01-15T06` otherwise. */
export function batchLabel(start: Millis, grid: BatchGrid): string {
  const dayAligned = grid.stepMs % DAY_MS === 0 && grid.origin % DAY_MS === 0
  // Every customer and cluster has the same batches: each label is made once.
  const known = dayAligned ? labels.day : labels.hour
  let label = known.get(start)
  if (label === undefined) {
    const iso = new Date(start).toISOString()
    label = dayAligned ? iso.slice(0, 10) : iso.slice(0, 13)
    if (known.size < LABELS_MAX) known.set(start, label)
  }
  return label
}

const batches = new Map<Millis, Batch>()
const BATCHES_MAX = 100_000

/** Customers and clusters share their batches: a plan of a million units holds each once. Never change one. */
function sharedBatch(start: Millis, end: Millis, label: string): Batch {
  const known = batches.get(start)
  if (known !== undefined && known.end === end && known.label === label) return known
  const batch = { start, end, label }
  if (known === undefined && batches.size < BATCHES_MAX) batches.set(start, batch)
  return batch
}

/** Index of the grid cell holding `time`. */
function cellOf(time: Millis, grid: BatchGrid): number {
  return Math.floor((time - grid.origin) / grid.stepMs)
}

/** How many batches `window` is cut into on `grid` (without enumerating them). */
export function batchCount(window: Window, grid: BatchGrid): number {
  if (window.end <= window.start) return 0
  return cellOf(window.end - 1, grid) - cellOf(window.start, grid) + 1
}

/**
 * The batches of `window`, cut on `grid`: boundaries at `origin + k·step`, the first
 * and last batch clipped to the window. `order: backward` yields newest first.
 */
export function* batchesOf(window: Window, grid: BatchGrid, order: 'forward' | 'backward' = 'forward'): Generator<Batch> {
  const first = cellOf(window.start, grid)
  const last = cellOf(window.end - 1, grid)
  if (window.end <= window.start) return
  const cell = (k: number): Batch => {
    const cellStart = grid.origin + k * grid.stepMs
    return sharedBatch(Math.max(cellStart, window.start), Math.min(cellStart + grid.stepMs, window.end), batchLabel(cellStart, grid))
  }
  if (order === 'forward') for (let k = first; k <= last; k++) yield cell(k)
  else for (let k = last; k >= first; k--) yield cell(k)
}

/** Units of one customer, in the plan's rollout order. */
export function* unitsOfCustomer(spec: PlanSpec, cluster: ClusterSpec, customer: CustomerSpec): Generator<Unit> {
  const prefix = `${joinAddress(cluster.name, customer.id)}/`
  for (const batch of batchesOf(customer.window, spec.batch, spec.rollout.order)) {
    yield { address: prefix + batch.label, cluster: cluster.name, customer: customer.id, batch }
  }
}

/** Every unit of the plan, lazily: cluster by cluster, customer by customer. */
export function* unitsOf(spec: PlanSpec): Generator<Unit> {
  for (const cluster of spec.clusters) {
    for (const customer of cluster.customers) yield* unitsOfCustomer(spec, cluster, customer)
  }
}

/** Number of units in the plan, computed per customer without enumerating batches. */
export function unitCount(spec: PlanSpec): number {
  let total = 0
  for (const cluster of spec.clusters) {
    for (const customer of cluster.customers) total += batchCount(customer.window, spec.batch)
  }
  return total
}
