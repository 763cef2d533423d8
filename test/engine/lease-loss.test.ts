import { describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/engine/events.js'
import { LeaseGuard } from '../../src/engine/lease-loss.js'
import { LeaseLostError } from '../../src/state/leased-lock.js'

const at = '2026-01-15T10:00:00.000Z'
const start = (address: string): ApplyEvent => ({ type: 'step_start', address, kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at })
const done = (address: string): ApplyEvent => ({ type: 'step_done', address, kind: 'job', status: 'succeeded', attempt: 1, durationMs: 1, at })

function guard(lost?: AbortSignal): LeaseGuard {
  return new LeaseGuard({ stopping: new AbortController().signal, aborted: new AbortController().signal, ...(lost ? { lost } : {}) })
}

describe('the lease guard of an apply', () => {
  it('stops the apply at once when the held lock is lost, naming the steps under way, and writes nothing more', async () => {
    const lost = new AbortController()
    const lease = guard(lost.signal)
    const written: string[] = []
    const persist = lease.guardWrites((event) => void written.push(event.type))
    for (const event of [start('a'), start('b'), done('a')]) {
      await persist(event)
      await lease.track(event)
    }
    expect(lease.stop.stopping.aborted || lease.stop.aborted.aborted).toBe(false)
    lost.abort(new LeaseLostError("lost the state's lease in Lease bf-p in namespace n: it is now held by bob@ci"))
    expect(lease.stop.stopping.aborted && lease.stop.aborted.aborted).toBe(true)
    expect(lease.loss).toEqual({ reason: "lost the state's lease in Lease bf-p in namespace n: it is now held by bob@ci", running: ['b'] })
    await persist(done('b'))
    expect(written).toEqual(['step_start', 'step_start', 'step_done'])
  })

  it('takes a write refused for a lost lease as the loss, before the lock says so; any other refusal still breaks the apply', async () => {
    const lease = guard()
    await lease.track(start('a'))
    const refused = lease.guardWrites(() => Promise.reject(new LeaseLostError('the state lease is no longer held by this process')))
    await expect(refused(done('a'))).resolves.toBeUndefined()
    expect(lease.loss).toEqual({ reason: 'the state lease is no longer held by this process', running: ['a'] })
    expect(lease.stop.aborted.aborted).toBe(true)

    const broken = guard().guardWrites(() => Promise.reject(new Error('disk full')))
    await expect(broken(done('a'))).rejects.toThrow('disk full')
  })
})
