import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { sleep } from '../../src/common/sleep.js'

/** Whether `promise` has settled once pending callbacks have run, without waiting for time to pass. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await vi.advanceTimersByTimeAsync(0)
  return done
}

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('resolves after its time, not before, and leaves no timer or listener', async () => {
    const controller = new AbortController()
    const sleeping = sleep(1_000, controller.signal)
    await vi.advanceTimersByTimeAsync(999)
    expect(await settled(sleeping)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await settled(sleeping)).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('resolves at once, without rejecting, when the signal aborts, and clears its timer and listener', async () => {
    const controller = new AbortController()
    const sleeping = sleep(60_000, controller.signal)
    expect(vi.getTimerCount()).toBe(1)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    controller.abort(new Error('stop'))
    await expect(sleeping).resolves.toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('resolves at once when the signal is already aborted, starting no timer', async () => {
    const sleeping = sleep(60_000, AbortSignal.abort(new Error('stopped before')))
    expect(vi.getTimerCount()).toBe(0)
    await expect(sleeping).resolves.toBeUndefined()
  })

  it('sleeps its full time without a signal', async () => {
    const sleeping = sleep(500)
    await vi.advanceTimersByTimeAsync(499)
    expect(await settled(sleeping)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await settled(sleeping)).toBe(true)
  })
})
