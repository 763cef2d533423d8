import { joinAddress } from './address.js'
import type { Batch, BatchGrid, ClusterSpec, CustomerSpec, Millis, PlanSpec, Unit, Window } from './model.js'

const DAY_MS = 86_400_000

/** `2026-01-15` when the grid is whole days on midnight, `2026-01-15T06` otherwise. */
export function batchLabel(start: Millis, grid: BatchGrid): string {
  const iso = new Date(start).toISOString()
  return isDayAligned(grid) ? iso.slice(0, 10) : iso.slice(0, 13)
}

function isDayAligned(grid: BatchGrid): boolean {
  return grid.stepMs % DAY_MS === 0 && grid.origin % DAY_MS === 0
}

/**
 * Batches and labels made once for one computation (a plan): every customer and cluster
 * has the same batches, so a plan of a million units holds each once. Made per plan and
 * dropped with it; the batches it hands out are shared, never change one.
 */
export class SharedBatches {
  readonly #labels = { day: new Map<Millis, string>(), hour: new Map<Millis, string>() }
  readonly #batches = new Map<Millis, Batch>()

  /** `batchLabel`, made once per cell start. */
  label(start: Millis, grid: BatchGrid): string {
    const known = isDayAligned(grid) ? this.#labels.day : this.#labels.hour
    let label = known.get(start)
    if (label === undefined) {
      label = batchLabel(start, grid)
      known.set(start, label)
    }
    return label
  }

  /** The batch `[start, end)` labelled `label`: the first one made for `start` when it matches. */
  batch(start: Millis, end: Millis, label: string): Batch {
    const known = this.#batches.get(start)
    if (known !== undefined && known.end === end && known.label === label) return known
    const batch = { start, end, label }
    if (known === undefined) this.#batches.set(start, batch)
    return batch
  }
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
 * and last batch clipped to the window. `order: backward` yields newest first. Batches
 * come from `shared` when given: callers that cut many windows pass one per computation.
 */
export function* batchesOf(window: Window, grid: BatchGrid, order: 'forward' | 'backward' = 'forward', shared = new SharedBatches()): Generator<Batch> {
  const first = cellOf(window.start, grid)
  const last = cellOf(window.end - 1, grid)
  if (window.end <= window.start) return
  const cell = (k: number): Batch => {
    const cellStart = grid.origin + k * grid.stepMs
    return shared.batch(Math.max(cellStart, window.start), Math.min(cellStart + grid.stepMs, window.end), shared.label(cellStart, grid))
  }
  if (order === 'forward') for (let k = first; k <= last; k++) yield cell(k)
  else for (let k = last; k >= first; k--) yield cell(k)
}

/** Units of one customer, in the plan's rollout order; their batches from `shared` when given (see `batchesOf`). */
export function* unitsOfCustomer(spec: PlanSpec, cluster: ClusterSpec, customer: CustomerSpec, shared?: SharedBatches): Generator<Unit> {
  const prefix = `${joinAddress(cluster.name, customer.id)}/`
  for (const batch of batchesOf(customer.window, spec.batch, spec.rollout.order, shared)) {
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
