import { describe, expect, it } from 'vitest'
import { EventBus, ListenerError } from '../../src/engine/event-bus.js'
import type { ApplyEvent } from '../../src/engine/events.js'

const note = (message: string): ApplyEvent => ({ type: 'step_note', address: 'c/check', message, at: '' })
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('EventBus', () => {
  it('delivers events in the order emitted, each to every listener in turn, awaiting each', async () => {
    const seen: string[] = []
    let release: (() => void) | undefined
    const bus = new EventBus()
      .on(async (event) => {
        if (event.type !== 'step_note') return
        seen.push(`first ${event.message}`)
        if (event.message === 'a') await new Promise<void>((resolve) => (release = resolve))
      })
      .on((event) => void seen.push(`second ${event.type === 'step_note' ? event.message : ''}`))
    const a = bus.emit(note('a'))
    const b = bus.emit(note('b'))
    await tick()
    // The first listener still holds `a`: neither the second listener nor `b` has been told.
    expect(seen).toEqual(['first a'])
    release?.()
    await Promise.all([a, b])
    expect(seen).toEqual(['first a', 'second a', 'first b', 'second b'])
  })

  it('turns a throwing listener into one clear error, for that emit and every one after', async () => {
    const bus = new EventBus().on((event) => {
      if (event.type === 'step_note' && event.message === 'bad') throw new Error('disk full')
    })
    await bus.emit(note('fine'))
    const failed = bus.emit(note('bad'))
    await expect(failed).rejects.toBeInstanceOf(ListenerError)
    await expect(failed).rejects.toThrow('bf stopped: handling step_note of c/check failed: disk full')
    await expect(bus.emit(note('later'))).rejects.toThrow('disk full')
  })
})
