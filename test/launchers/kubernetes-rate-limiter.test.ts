import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RateLimiter } from '../../src/launchers/kubernetes/rate-limiter.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** Takes `count` tokens and returns the ones granted so far, in order. */
function takeAll(limiter: RateLimiter, count: number, signal?: AbortSignal): { granted: number[]; settled: Array<Promise<unknown>> } {
  const granted: number[] = []
  const settled = Array.from({ length: count }, (_, index) =>
    limiter.take(signal).then(
      () => granted.push(index),
      (error: unknown) => error,
    ),
  )
  return { granted, settled }
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then one request per 1/qps seconds, in order', async () => {
    const limiter = new RateLimiter(5, 2, Date.now)
    const { granted } = takeAll(limiter, 5)
    await vi.advanceTimersByTimeAsync(0)
    expect(granted).toEqual([0, 1])
    await vi.advanceTimersByTimeAsync(199)
    expect(granted).toEqual([0, 1])
    await vi.advanceTimersByTimeAsync(1)
    expect(granted).toEqual([0, 1, 2])
    await vi.advanceTimersByTimeAsync(400)
    expect(granted).toEqual([0, 1, 2, 3, 4])
  })

  it('refills up to the burst while idle, never beyond', async () => {
    const limiter = new RateLimiter(5, 2, Date.now)
    await vi.advanceTimersByTimeAsync(10_000)
    const { granted } = takeAll(limiter, 3)
    await vi.advanceTimersByTimeAsync(0)
    expect(granted).toEqual([0, 1])
  })

  it('a caller that gives up does not hold up the ones behind it', async () => {
    const limiter = new RateLimiter(5, 1, Date.now)
    await limiter.take()
    const stop = new AbortController()
    const gaveUp = limiter.take(stop.signal).catch((error: unknown) => error)
    const behind = takeAll(limiter, 1)
    stop.abort(new Error('stopped'))
    expect(await gaveUp).toEqual(new Error('stopped'))
    await vi.advanceTimersByTimeAsync(200)
    expect(behind.granted).toEqual([0])
  })

  it('refuses a limit that would never let a request through', () => {
    expect(() => new RateLimiter(0, 10)).toThrow('a rate limit needs qps > 0 and burst ≥ 1 (got qps 0, burst 10)')
    expect(() => new RateLimiter(5, 0)).toThrow('burst ≥ 1')
  })
})
