import { describe, expect, it } from 'vitest'
import { EventBus, ListenerError } from '../../src/engine/event-bus.js'
import type { ApplyEvent } from '../../src/engine/events.js'

const note = (message: string): ApplyEvent => ({ type: 'step_note', address: 'c/check', message, at: '' })
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('EventBus', () => {
  it('hands an event to each listener in turn, awaiting each, and resolves only once all have handled it', async () => {
    const seen: string[] = []
    let release: (() => void) | undefined
    const bus = new EventBus()
      .on(async (event) => {
        if (event.type !== 'step_note') return
        seen.push(`first ${event.message}`)
        if (event.message === 'a') await new Promise<void>((resolve) => (release = resolve))
      })
      .on((event) => void seen.push(`second ${event.type === 'step_note' ? event.message : ''}`))
    let handled = false
    const a = bus.emit(note('a')).then(() => (handled = true))
    await tick()
    // The first listener still holds `a`: the second has not been told, and the emit has not resolved.
    expect(seen).toEqual(['first a'])
    expect(handled).toBe(false)
    release?.()
    await a
    await bus.emit(note('b'))
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
