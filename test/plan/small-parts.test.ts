import { describe, expect, it } from 'vitest'
import { formatPath, pathFromPointer } from '../../src/plan/data-path.js'
import { closest, didYouMean, editDistance } from '../../src/plan/did-you-mean.js'
import { formatTimestamp, parseTimestamp } from '../../src/plan/timestamp.js'

describe('did you mean', () => {
  it('measures typos, a swap of neighbours counting once', () => {
    expect(editDistance('readTabel', 'readTable')).toBe(1)
    expect(editDistance('concurency', 'concurrency')).toBe(1)
    expect(editDistance('abc', 'xyz')).toBe(3)
  })

  it('suggests only close candidates', () => {
    expect(didYouMean('readtable', ['table', 'readTable'])).toBe('did you mean "readTable"?')
    expect(closest('ordr', ['order', 'canary'])).toBe('order')
    expect(closest('alaska', ['alaska-air', 'delta'])).toBe('alaska-air')
    expect(closest('backfillEverything', ['version', 'name', 'window'])).toBeUndefined()
    expect(closest('abc', ['abcdefgh'])).toBeUndefined()
  })
})

describe('timestamps', () => {
  it('reads RFC 3339 UTC only, and only real instants', () => {
    expect(parseTimestamp('2026-01-15T06:30:00Z')).toBe(Date.UTC(2026, 0, 15, 6, 30))
    expect(parseTimestamp('2026-01-15T06:30:00.25Z')).toBe(Date.UTC(2026, 0, 15, 6, 30, 0, 250))
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29))
    for (const bad of ['2026-01-15', '2026-01-15T06:30:00+01:00', '2026-01-15 06:30:00Z', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z']) {
      expect(parseTimestamp(bad), bad).toBeUndefined()
    }
  })

  it('writes seconds, and milliseconds only when there are some', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 15))).toBe('2026-01-15T00:00:00Z')
    expect(formatTimestamp(Date.UTC(2026, 0, 15, 0, 0, 0, 5))).toBe('2026-01-15T00:00:00.005Z')
  })
})

describe('data paths', () => {
  it('reads like the plan file', () => {
    expect(formatPath(['clusters', 'us-east-1', 'customers', 0, 'window'])).toBe('clusters.us-east-1.customers[0].window')
    expect(formatPath(['job', 'env', 'a.b'])).toBe('job.env["a.b"]')
  })

  it('knows list indexes from mapping keys named with digits', () => {
    const data = { clusters: { '1': { customers: ['a'] } } }
    expect(pathFromPointer('/clusters/1/customers/0', data)).toEqual(['clusters', '1', 'customers', 0])
    expect(pathFromPointer('/a~1b/c~0d', {})).toEqual(['a/b', 'c~d'])
  })
})
