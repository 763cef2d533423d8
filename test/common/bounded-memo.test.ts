import { describe, expect, it } from 'vitest'
import { boundedMemo } from '../../src/common/bounded-memo.js'

describe('boundedMemo', () => {
  it('computes a key once while it is kept, and again after `max` keys made it forget', () => {
    const computed: string[] = []
    const length = boundedMemo((key) => {
      computed.push(key)
      return key.length
    }, 2)
    expect([length('a'), length('bb'), length('a'), length('bb')]).toEqual([1, 2, 1, 2])
    expect(computed).toEqual(['a', 'bb'])
    expect(length('ccc')).toBe(3)
    expect(length('a')).toBe(1)
    expect(computed).toEqual(['a', 'bb', 'ccc', 'a'])
  })
})
