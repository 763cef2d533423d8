import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { linkedSignal } from '../../src/launchers/kubernetes/linked-signal.js'

describe('linkedSignal', () => {
  it('aborts with the reason of the first source that aborts', () => {
    const long = new AbortController()
    const short = new AbortController()
    const linked = linkedSignal([long.signal, short.signal])
    short.abort(new Error('stop now'))
    expect(linked.signal.reason).toEqual(new Error('stop now'))
  })

  it('leaves no listener on a long-lived source once disposed, however many were made', () => {
    const long = new AbortController()
    for (let index = 0; index < 1_000; index++) linkedSignal([long.signal, new AbortController().signal]).dispose()
    expect(getEventListeners(long.signal, 'abort')).toEqual([])
  })

  it('is aborted at once by a source already aborted', () => {
    const linked = linkedSignal([AbortSignal.abort(new Error('gone'))], 60_000)
    expect(linked.signal.aborted).toBe(true)
    expect(linked.signal.reason).toEqual(new Error('gone'))
  })
})
