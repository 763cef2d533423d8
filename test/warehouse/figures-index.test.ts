import { describe, expect, it } from 'vitest'
import { FiguresIndex } from '../../src/warehouse/figures-index.js'
import { customer, DAY, dayGrid, HOUR, JAN_1 } from './fixtures.js'

describe('the figures index', () => {
  it("gives each customer's cells their own figures, and zeros outside its window", () => {
    const index = new FiguresIndex([customer('a', 0, 3), customer('b', 2, 2)], dayGrid, true)
    index.addTarget('a', 0, 5, 4)
    index.addTarget('a', 2, 7, 7)
    index.addExpected('a', 2, 8)
    index.addTarget('b', 2, 1, 1)
    index.addTarget('b', 3, 2, 2)
    expect(index.unit('a', JAN_1)).toEqual({ rows: 5, keys: 4, expected: 0 })
    expect(index.unit('a', JAN_1 + DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('a', JAN_1 + 2 * DAY)).toEqual({ rows: 7, keys: 7, expected: 8 })
    expect(index.unit('b', JAN_1 + 2 * DAY)).toEqual({ rows: 1, keys: 1, expected: 0 })
    expect(index.unit('b', JAN_1 + 3 * DAY)).toEqual({ rows: 2, keys: 2, expected: 0 })
    // Before, after and between windows, and customers that were not refreshed.
    expect(index.unit('a', JAN_1 - DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('a', JAN_1 + 3 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('b', JAN_1 + DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('b', JAN_1 + 4 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('c', JAN_1)).toEqual({ rows: 0, keys: 0, expected: 0 })
  })

  it('keeps counts past the small-integer range exact', () => {
    const index = new FiguresIndex([customer('a', 0, 1)], dayGrid, true)
    index.addTarget('a', 0, 3_000_000_000, 2 ** 31)
    index.addExpected('a', 0, 2 ** 30)
    expect(index.unit('a', JAN_1)).toEqual({ rows: 3_000_000_000, keys: 2 ** 31, expected: 2 ** 30 })
  })

  it('adds up counts of the same cell', () => {
    const index = new FiguresIndex([customer('a', 0, 1)], dayGrid, true)
    index.addTarget('a', 0, 2, 1)
    index.addTarget('a', 0, 3, 3)
    index.addExpected('a', 0, 4)
    index.addExpected('a', 0, 5)
    expect(index.unit('a', JAN_1)).toEqual({ rows: 5, keys: 4, expected: 9 })
  })

  it('finds a unit whose window starts mid-cell by its clipped start or any time in the cell', () => {
    const clipped = customer('clipped', 9, 2, 12 * HOUR)
    const index = new FiguresIndex([clipped], dayGrid, false)
    index.addTarget('clipped', 9, 12, 12)
    expect(index.unit('clipped', clipped.window.start)).toEqual({ rows: 12, keys: 12 })
    expect(index.unit('clipped', JAN_1 + 9 * DAY)).toEqual({ rows: 12, keys: 12 })
    expect(index.unit('clipped', JAN_1 + 10 * DAY)).toEqual({ rows: 0, keys: 0 })
    expect(index.unit('clipped', JAN_1 + 8 * DAY + 23 * HOUR)).toEqual({ rows: 0, keys: 0 })
  })

  it('has no expected figure when the plan measures no expected table', () => {
    const index = new FiguresIndex([customer('a', 0, 1)], dayGrid, false)
    index.addTarget('a', 0, 1, 1)
    index.addExpected('a', 0, 3)
    expect(index.unit('a', JAN_1)).toStrictEqual({ rows: 1, keys: 1 })
    expect(index.unit('b', JAN_1)).toStrictEqual({ rows: 0, keys: 0 })
  })

  it('gives a fresh object on every lookup', () => {
    const index = new FiguresIndex([customer('a', 0, 1)], dayGrid, true)
    const first = index.unit('a', JAN_1)
    first.rows = 99
    expect(index.unit('a', JAN_1)).toEqual({ rows: 0, keys: 0, expected: 0 })
    expect(index.unit('b', JAN_1)).not.toBe(index.unit('b', JAN_1))
  })

  it('refuses a count outside the cells refreshed for a customer, or of a customer it does not know', () => {
    const index = new FiguresIndex([customer('a', 1, 2), { id: 'empty', window: { start: JAN_1, end: JAN_1 } }], dayGrid, true)
    expect(() => index.addTarget('a', 0, 1, 1)).toThrow(/cell 0 of customer "a"/)
    expect(() => index.addTarget('a', 3, 1, 1)).toThrow(/cell 3 of customer "a"/)
    expect(() => index.addExpected('b', 1, 1)).toThrow(/customer "b"/)
    expect(() => index.addTarget('empty', 0, 1, 1)).toThrow(/customer "empty"/)
    expect(index.unit('a', JAN_1 + DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
  })

  it('refuses the same customer twice', () => {
    expect(() => new FiguresIndex([customer('a', 0, 1), customer('a', 2, 1)], dayGrid, false)).toThrow(/same customer twice/)
  })

  it('indexes a year of days for a thousand customers', () => {
    const customers = Array.from({ length: 1000 }, (_, i) => customer(`customer-${i}`, 0, 366))
    const index = new FiguresIndex(customers, dayGrid, true)
    for (let i = 0; i < 1000; i++) for (let cell = 0; cell < 366; cell++) index.addTarget(`customer-${i}`, cell, i + cell, i)
    expect(index.unit('customer-999', JAN_1 + 365 * DAY)).toEqual({ rows: 999 + 365, keys: 999, expected: 0 })
    expect(index.unit('customer-0', JAN_1 + 366 * DAY)).toEqual({ rows: 0, keys: 0, expected: 0 })
  })
})
