import type { BatchGrid, Millis } from '../plan/model.js'
import type { UnitFigures } from './warehouse.js'

/**
 * Figures of every unit that has rows, looked up in O(1) by customer and grid cell. Kept as
 * parallel number arrays rather than one object per unit: a refresh can hold a million units.
 */
export class FiguresIndex {
  readonly #grid: BatchGrid
  readonly #slots = new Map<string, Map<number, number>>()
  readonly #rows: number[] = []
  readonly #keys: number[] = []
  readonly #expected: number[] = []
  readonly #measuresExpected: boolean

  constructor(grid: BatchGrid, measuresExpected: boolean) {
    this.#grid = grid
    this.#measuresExpected = measuresExpected
  }

  addTarget(customer: string, cell: number, rows: number, keys: number): void {
    const slot = this.#slot(customer, cell)
    this.#rows[slot] = (this.#rows[slot] ?? 0) + rows
    this.#keys[slot] = (this.#keys[slot] ?? 0) + keys
  }

  addExpected(customer: string, cell: number, keys: number): void {
    const slot = this.#slot(customer, cell)
    this.#expected[slot] = (this.#expected[slot] ?? 0) + keys
  }

  /** The unit of `customer` whose (possibly clipped) batch starts at `batchStart`. */
  unit(customer: string, batchStart: Millis): UnitFigures {
    const cell = Math.floor((batchStart - this.#grid.origin) / this.#grid.stepMs)
    const slot = this.#slots.get(customer)?.get(cell)
    const figures: UnitFigures = { rows: slot === undefined ? 0 : this.#rows[slot]!, keys: slot === undefined ? 0 : this.#keys[slot]! }
    if (this.#measuresExpected) figures.expected = slot === undefined ? 0 : this.#expected[slot]!
    return figures
  }

  #slot(customer: string, cell: number): number {
    let cells = this.#slots.get(customer)
    if (!cells) {
      cells = new Map()
      this.#slots.set(customer, cells)
    }
    let slot = cells.get(cell)
    if (slot === undefined) {
      slot = this.#rows.length
      cells.set(cell, slot)
      this.#rows.push(0)
      this.#keys.push(0)
      this.#expected.push(0)
    }
    return slot
  }
}
