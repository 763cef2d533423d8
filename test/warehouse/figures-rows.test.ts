import { describe, expect, it } from 'vitest'
import { figuresQuery, readFiguresRows } from '../../src/warehouse/refresh-queries.js'
import { customer, dayGrid, expected, JAN_1 } from './fixtures.js'

const IDS = ['alaska-air', "o'brien", 'zürich/航空']

function read(text: string): [string, number, number, number][] {
  const rows: [string, number, number, number][] = []
  readFiguresRows(text, IDS, (...row) => rows.push(row))
  return rows
}

describe('figures rows', () => {
  it('name their customer by position in the ids the query binds, never in its text', () => {
    const query = figuresQuery(expected, [customer(IDS[0]!, 0, 2), { id: 'empty', window: { start: JAN_1, end: JAN_1 } }, customer(IDS[1]!, 0, 1), customer(IDS[2]!, 1, 1)], dayGrid)
    expect(query.customers).toEqual(IDS)
    expect(query.params.customers).toEqual(IDS)
    for (const id of IDS) expect(query.sql).not.toContain(id)
    expect(query.sql).toMatch(/transform\(`customer_id`, \{customers:Array\(String\)\}, arrayEnumerate\(\{customers:Array\(String\)\}\), toUInt32\(0\)\) AS bf_customer/)
  })

  it('are read as [position, cell, rows, keys], one a line', () => {
    expect(read('[1, 0, 30, 24]\n[3,-2,7,5]\n\t[ 2 ,365 , 0, 0 ]  \n')).toEqual([
      ['alaska-air', 0, 30, 24],
      ['zürich/航空', -2, 7, 5],
      ["o'brien", 365, 0, 0],
    ])
    expect(read('[1, 0, 30, 24]')).toEqual([['alaska-air', 0, 30, 24]])
    expect(read('')).toEqual([])
    expect(read('\n')).toEqual([])
  })

  it('take 64-bit integers quoted, as ClickHouse writes them by default', () => {
    expect(read('[1,"-3","30","24"]\n[2, "365", "0", 0]\n')).toEqual([
      ['alaska-air', -3, 30, 24],
      ["o'brien", 365, 0, 0],
    ])
  })

  it('keep counts exact up to 2^53, and round beyond', () => {
    expect(read(`[1, 0, ${2 ** 53 - 1}, 9007199254740991]\n[1, 1, 18446744073709551615, 123456789012345678]\n`)).toEqual([
      ['alaska-air', 0, 2 ** 53 - 1, 2 ** 53 - 1],
      ['alaska-air', 1, 2 ** 64, Number('123456789012345678')],
    ])
  })

  it.each([
    ['a position 0', '[0, 0, 1, 1]'],
    ['a position past the ids', '[4, 0, 1, 1]'],
    ['a fractional position', '[1.5, 0, 1, 1]'],
    ['a fractional cell', '[1, 0.5, 1, 1]'],
    ['an exponent', '[1, 0, 1e3, 1]'],
    ['a negative count', '[1, 0, -1, 1]'],
    ['a count quoted on one side only', '[1, 0, "1, 1]'],
    ['a quoted fraction', '[1, 0, "1.5", 1]'],
    ['a count too large for a number', `[1, 0, ${'9'.repeat(400)}, 1]`],
    ['a missing count', '[1, 0, 1]'],
    ['an extra column', '[1, 0, 1, 1, 1]'],
    ['null', '[1, 0, null, 1]'],
    ['two rows on a line', '[1, 0, 1, 1] [1, 1, 1, 1]'],
    ['an object row', '{"bf_customer":1,"bf_cell":0,"bf_rows":1,"bf_keys":1}'],
    ['a cut row', '[1, 0, 1, 1]\n[2, 0, 1'],
  ])('refuse %s', (_what, text) => {
    expect(() => read(text)).toThrow(/unexpected figures row/)
  })

  it('show what the server sent in place of a row', () => {
    const text = '[1, 0, 1, 1]\nCode: 159. DB::Exception: Timeout exceeded: elapsed 300 seconds. (TIMEOUT_EXCEEDED)\n'
    expect(() => read(text)).toThrow(/unexpected figures row "Code: 159\. DB::Exception: Timeout exceeded/)
  })
})
