import { describe, expect, it } from 'vitest'
import { codeOnly, extraStatementsIn, hasKeyword, leadingKeyword, queryParamsIn } from '../../src/plan/sql-text.js'

describe('SQL text', () => {
  it('blanks strings, quoted names and comments, keeping offsets', () => {
    const sql = "SELECT 'a;b', \"c;d\", `e;f` -- g;h\n/* i;j */ FROM t"
    const code = codeOnly(sql)
    expect(code).toHaveLength(sql.length)
    expect(code).not.toContain(';')
    expect(code.indexOf('FROM')).toBe(sql.indexOf('FROM'))
    expect(codeOnly("SELECT 'it''s', 'a\\'b';")).toBe(`SELECT ${' '.repeat(7)}, ${' '.repeat(6)};`)
  })

  it('finds query parameters in code only', () => {
    expect(queryParamsIn("WHERE c = { customer : String } AND x = '{start:DateTime}' AND t < {end:DateTime} AND y = {bare}")).toEqual([
      { name: 'customer', type: 'String', text: '{ customer : String }', offset: 10 },
      { name: 'end', type: 'DateTime', text: '{end:DateTime}', offset: 67 },
      { name: 'bare', type: '', text: '{bare}', offset: 90 },
    ])
  })

  it('allows one last ";" only', () => {
    expect(extraStatementsIn('INSERT INTO t SELECT 1;\n  ')).toEqual([])
    expect(extraStatementsIn("INSERT INTO t SELECT ';'")).toEqual([])
    expect(extraStatementsIn('SELECT 1; DROP TABLE t;')).toEqual([8])
  })

  it('reads the leading keyword past comments', () => {
    expect(leadingKeyword('-- backfill\n  insert into t select 1')).toEqual({ word: 'INSERT', offset: 14 })
    expect(hasKeyword("INSERT INTO t VALUES ('select')", 'SELECT')).toBe(false)
    expect(hasKeyword('INSERT INTO t\nSELECT 1', 'SELECT')).toBe(true)
  })
})
