import { describe, expect, it } from 'vitest'
import { rewriteFigures, rewriteQuery } from '../../src/warehouse/rewrite-query.js'
import { target } from './fixtures.js'

const day = (date: string): number => Date.parse(`${date}T00:00:00Z`)

describe('the rewrite estimate query', () => {
  it('binds every delete: a slot per customer listing the deletes and ranges that remove its rows, within their overall span', () => {
    const query = rewriteQuery(target, [
      { customers: ['acme', 'globex'], ranges: [{ start: day('2026-01-01'), end: day('2026-01-03') }] },
      { customers: ['acme'], ranges: [{ start: day('2026-01-05'), end: day('2026-01-06') }] },
    ])
    expect(query.params).toMatchObject({
      customers: ['acme', 'globex'],
      slots: [1, 2],
      deletes: [[0, 1], [0]],
      starts: [[day('2026-01-01') / 1000, day('2026-01-05') / 1000], [day('2026-01-01') / 1000]],
      ends: [[day('2026-01-03') / 1000, day('2026-01-06') / 1000], [day('2026-01-03') / 1000]],
      start: day('2026-01-01') / 1000,
      end: day('2026-01-06') / 1000,
    })
    expect(query.sql).not.toContain('acme')
    expect(query.sql).toContain('AND active')
  })

  it('counts a part once in the union however many deletes (or queries) touch it, and once for each delete', () => {
    const figures = rewriteFigures(2, [
      { name: 'p1', rows: 10, bytes: 100, deletes: [0, 1] },
      { name: 'p2', rows: 5, bytes: 50, deletes: [0] },
      { name: 'p1', rows: 10, bytes: 100, deletes: [] },
    ])
    expect(figures.union).toEqual({ parts: 2, rows: 15, bytes: 150 })
    expect(figures.deletes).toEqual([
      { parts: 2, rows: 15, bytes: 150 },
      { parts: 1, rows: 10, bytes: 100 },
    ])
  })
})
