import { describe, expect, it } from 'vitest'
import { backoffDelay, delayHonouringRetryAfter } from '../../src/common/retry-policy.js'

const backoff = { baseDelayMs: 100, maxDelayMs: 1_000 }
const lowest = (): number => 0
const highest = (): number => 1

describe('backoffDelay', () => {
  it('doubles from the base with each retry', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelay(backoff, retry, highest))).toEqual([100, 200, 400, 800])
    expect([1, 2, 3, 4].map((retry) => backoffDelay(backoff, retry, lowest))).toEqual([50, 100, 200, 400])
  })

  it('never goes past the cap, however many retries', () => {
    for (const retry of [5, 10, 60, 2_000]) {
      expect(backoffDelay(backoff, retry, highest)).toBe(1_000)
      expect(backoffDelay(backoff, retry, lowest)).toBe(500)
    }
  })

  it('keeps jitter within half and all of the nominal delay', () => {
    for (let i = 0; i < 1_000; i++) {
      const delay = backoffDelay(backoff, 3)
      expect(delay).toBeGreaterThanOrEqual(200)
      expect(delay).toBeLessThanOrEqual(400)
    }
    expect(backoffDelay(backoff, 3, () => 0.5)).toBe(300)
  })
})

describe('delayHonouringRetryAfter', () => {
  it('waits as long as the server asked when that is longer than the backoff', () => {
    expect(delayHonouringRetryAfter(backoff, 1, 700, highest)).toBe(700)
  })

  it('keeps the backoff when the server asked for less, or for nothing', () => {
    expect(delayHonouringRetryAfter(backoff, 3, 10, highest)).toBe(400)
    expect(delayHonouringRetryAfter(backoff, 3, undefined, lowest)).toBe(200)
  })

  it('caps the server\'s wait too', () => {
    expect(delayHonouringRetryAfter(backoff, 1, 5_000, lowest)).toBe(1_000)
  })
})
