import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { quoteColumns, quoteIdentifier, quoteTable } from '../../src/warehouse/identifiers.js'

describe('identifiers', () => {
  it('quotes plain names with backticks', () => {
    expect(quoteIdentifier('conversation_end_time')).toBe('`conversation_end_time`')
    expect(quoteIdentifier('_x1')).toBe('`_x1`')
    expect(quoteTable({ database: 'default', table: 'conversation_with_labels' })).toBe('`default`.`conversation_with_labels`')
    expect(quoteColumns(['a', 'b'])).toBe('`a`, `b`')
  })

  it.each(['', '1abc', 'a-b', 'a b', 'a`b', "a'b", 'a.b', 'tbl;DROP', 'ü', 'a\nb'])('refuses %j', (name) => {
    expect(() => quoteIdentifier(name, 'table name')).toThrow(UserError)
    expect(() => quoteIdentifier(name, 'table name')).toThrow(/table name/)
  })

  it('refuses an empty column list', () => {
    expect(() => quoteColumns([])).toThrow(UserError)
  })
})
