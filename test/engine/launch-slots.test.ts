import { describe, expect, it } from 'vitest'
import { LaunchSlots } from '../../src/engine/launch-slots.js'

describe('LaunchSlots', () => {
  it('hands out its places in the order they were asked for, and says who had to wait', async () => {
    const slots = new LaunchSlots(1)
    const never = new AbortController().signal
    const first = await slots.acquire(never)
    expect(first?.waited).toBe(false)
    const granted: string[] = []
    const second = slots.acquire(never).then((slot) => (granted.push('second'), slot))
    const third = slots.acquire(never).then((slot) => (granted.push('third'), slot))
    await Promise.resolve()
    expect(granted).toEqual([])
    expect(first?.waitedOn()).toBe(true)
    first?.release()
    expect(first?.waitedOn()).toBe(false)
    first?.release()
    const secondSlot = await second
    expect(secondSlot?.waited).toBe(true)
    expect(granted).toEqual(['second'])
    secondSlot?.release()
    expect((await third)?.waited).toBe(true)
  })

  it('gives nothing to a wait given up, and keeps the place for the next one', async () => {
    const slots = new LaunchSlots(1)
    const never = new AbortController().signal
    const held = await slots.acquire(never)
    const stop = new AbortController()
    const givenUp = slots.acquire(stop.signal)
    stop.abort()
    expect(await givenUp).toBeUndefined()
    expect(await slots.acquire(stop.signal)).toBeUndefined()
    held?.release()
    const next = await slots.acquire(never)
    expect(next?.waited).toBe(false)
  })
})
