import { batchCount } from '../plan/batches.js'
import type { BatchGrid, CustomerSpec, Millis } from '../plan/model.js'
import type { UnitFigures } from './warehouse.js'

const SMALL_MAX = 0x3fffffff

/**
 * A count as a small integer when it is one: a number read from a float array is boxed
 * wherever it is stored, and a plan keeps three counts for each of a million units.
 */
function small(count: number): number {
  return count <= SMALL_MAX ? count | 0 : count
}

/** Where a customer's cells sit in the index: `count` slots from `offset`, for cells `first` onwards. */
interface CustomerCells {
  first: number
  count: number
  offset: number
}

/**
 * Figures of every unit of the refreshed customers, looked up by customer and grid cell.
 * Each customer owns one dense run of slots over its own cells, in number arrays shared by
 * all customers: a refresh can hold a million units, a few numbers each.
 */
export class FiguresIndex {
  readonly #grid: BatchGrid
  readonly #cells = new Map<string, CustomerCells>()
  readonly #rows: Float64Array
  readonly #keys: Float64Array
  /** Absent when the plan measures no expected table. */
  readonly #expected: Float64Array | undefined

  constructor(customers: readonly CustomerSpec[], grid: BatchGrid, measuresExpected: boolean) {
    this.#grid = grid
    let size = 0
    for (const { id, window } of customers) {
      const count = batchCount(window, grid)
      if (count === 0) continue
      if (this.#cells.has(id)) throw new Error('refresh was given the same customer twice')
      this.#cells.set(id, { first: this.#cellOf(window.start), count, offset: size })
      size += count
    }
    this.#rows = new Float64Array(size)
    this.#keys = new Float64Array(size)
    this.#expected = measuresExpected ? new Float64Array(size) : undefined
  }

  addTarget(customer: string, cell: number, rows: number, keys: number): void {
    const slot = this.#slotToAdd(customer, cell)
    this.#rows[slot]! += rows
    this.#keys[slot]! += keys
  }

  /** Ignored when the plan measures no expected table. */
  addExpected(customer: string, cell: number, keys: number): void {
    const slot = this.#slotToAdd(customer, cell)
    if (this.#expected) this.#expected[slot]! += keys
  }

  /** The unit of `customer` whose (possibly clipped) batch starts at `batchStart`; zeros for any other. */
  unit(customer: string, batchStart: Millis): UnitFigures {
    const slot = this.#slot(customer, this.#cellOf(batchStart))
    const expected = this.#expected
    if (slot < 0) return expected ? { rows: 0, keys: 0, expected: 0 } : { rows: 0, keys: 0 }
    const rows = small(this.#rows[slot]!)
    const keys = small(this.#keys[slot]!)
    return expected ? { rows, keys, expected: small(expected[slot]!) } : { rows, keys }
  }

  #cellOf(time: Millis): number {
    return Math.floor((time - this.#grid.origin) / this.#grid.stepMs)
  }

  /** The slot of `cell` of `customer`, or -1 outside the customer's cells. */
  #slot(customer: string, cell: number): number {
    const cells = this.#cells.get(customer)
    if (!cells) return -1
    const at = cell - cells.first
    return at >= 0 && at < cells.count ? cells.offset + at : -1
  }

  /** A count can only belong to a customer's own cells: anything else is a wrong answer, not a figure to drop. */
  #slotToAdd(customer: string, cell: number): number {
    const slot = this.#slot(customer, cell)
    if (slot < 0) throw new Error(`the answer counted cell ${cell} of customer ${JSON.stringify(customer)}, outside the cells refreshed for it`)
    return slot
  }
}
