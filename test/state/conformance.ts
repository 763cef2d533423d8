import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LockHeldError } from '../../src/state/lock-held-error.js'
import type { StepEvent, StepKind } from '../../src/state/model.js'
import type { StateStore } from '../../src/state/store.js'

/** One fresh, empty state per test; `open` returns a new handle on that same state each call. */
export interface ConformanceState {
  open(): Promise<StateStore>
}

const LOCK = { operation: 'apply', timeoutMs: 0 }

export function stepEvent(
  type: 'started' | 'succeeded' | 'failed' | 'progress',
  address: string,
  extra: Partial<{ kind: StepKind; attempt: number; outputs: Record<string, string | number>; error: string; at: string }> = {},
): StepEvent {
  const { at = '2026-01-15T00:00:00.000Z', kind = 'job', attempt = 1, ...rest } = extra
  return { type, address, kind, attempt, fingerprint: 'fp1', at, ...rest }
}

/**
 * The behaviour every state backend owes the engine. A backend's test file calls this
 * with a factory of fresh states; each test opens as many handles on one state as it needs.
 */
export function describeStateStoreConformance(name: string, makeState: () => Promise<ConformanceState>): void {
  describe(`${name} conforms to StateStore`, () => {
    let state: ConformanceState
    const handles: StateStore[] = []
    const open = async (): Promise<StateStore> => {
      const store = await state.open()
      handles.push(store)
      return store
    }
    const openLocked = async (): Promise<StateStore> => {
      const store = await open()
      await store.lock(LOCK)
      return store
    }

    beforeEach(async () => {
      state = await makeState()
    })
    afterEach(async () => {
      for (const store of handles.splice(0)) await store.close()
    })

    it('reads an absent state as empty, with serial 0 and no lineage', async () => {
      const snapshot = await (await open()).read()
      expect(snapshot.serial).toBe(0)
      expect(snapshot.lineage).toBe('')
      expect(snapshot.steps.size).toBe(0)
    })

    it('gives a new state its lineage before the first write, and keeps it', async () => {
      const writer = await openLocked()
      const { lineage } = await writer.read()
      expect(lineage).not.toBe('')
      await writer.append(stepEvent('started', 'a/job'))
      await writer.compact()
      expect((await (await open()).read()).lineage).toBe(lineage)
    })

    it('reads back what was appended, from another handle', async () => {
      const writer = await openLocked()
      await writer.append(stepEvent('started', 'a/job', { at: '2026-01-15T01:00:00.000Z' }))
      await writer.append(stepEvent('progress', 'a/job', { outputs: { jobName: 'bf-a-1' } }))
      await writer.append(stepEvent('succeeded', 'a/job', { outputs: { rows: 12 }, at: '2026-01-15T02:00:00.000Z' }))
      await writer.append(stepEvent('failed', 'b/delete', { kind: 'delete', error: 'boom' }))
      const snapshot = await (await open()).read()
      expect(snapshot.steps.get('a/job')).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        outputs: { rows: 12 },
        startedAt: '2026-01-15T01:00:00.000Z',
        finishedAt: '2026-01-15T02:00:00.000Z',
      })
      expect(snapshot.steps.get('b/delete')).toMatchObject({ status: 'failed', kind: 'delete', error: 'boom' })
    })

    it('bumps the serial by one per append, in call order even when appends overlap', async () => {
      const writer = await openLocked()
      const serials = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(stepEvent('started', `s/${i}`))))
      expect(serials).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      expect(await writer.append(stepEvent('succeeded', 's/0'))).toBe(51)
      const snapshot = await (await open()).read()
      expect(snapshot.serial).toBe(51)
      expect(snapshot.steps.size).toBe(50)
    })

    it('writes a deferred append with the next append, or when the lock is let go, in call order', async () => {
      const writer = await openLocked()
      let deferredDone = false
      const deferred = writer.append(stepEvent('started', 'a/verify', { kind: 'verify' }), { deferred: true }).then((serial) => ((deferredDone = true), serial))
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(deferredDone).toBe(false)
      expect((await (await open()).read()).steps.has('a/verify')).toBe(false)
      expect(await writer.append(stepEvent('succeeded', 'a/job'))).toBe(2)
      expect(await deferred).toBe(1)
      const late = writer.append(stepEvent('started', 'b/verify', { kind: 'verify' }), { deferred: true })
      await writer.close()
      expect(await late).toBe(3)
      const snapshot = await (await open()).read()
      expect([...snapshot.steps.keys()].sort()).toEqual(['a/job', 'a/verify', 'b/verify'])
      expect(snapshot.serial).toBe(3)
    })

    it('forgets steps', async () => {
      const writer = await openLocked()
      await writer.append(stepEvent('succeeded', 'a/job'))
      await writer.append(stepEvent('succeeded', 'b/job'))
      await writer.append({ type: 'forgotten', address: 'a/job', at: '2026-01-16T00:00:00.000Z' })
      const snapshot = await (await open()).read()
      expect([...snapshot.steps.keys()]).toEqual(['b/job'])
      expect(snapshot.serial).toBe(3)
    })

    it('keeps content, lineage and serial through compaction, and appends go on from there', async () => {
      const writer = await openLocked()
      for (let i = 0; i < 20; i++) await writer.append(stepEvent(i % 2 ? 'succeeded' : 'started', `u/${Math.floor(i / 2)}`))
      await writer.append({ type: 'forgotten', address: 'u/3', at: '2026-01-16T00:00:00.000Z' })
      const before = await writer.read()
      await writer.compact()
      const after = await (await open()).read()
      expect(after).toEqual(before)
      expect(await writer.append(stepEvent('started', 'u/3', { attempt: 2 }))).toBe(before.serial + 1)
      expect((await (await open()).read()).steps.get('u/3')).toMatchObject({ status: 'started', attempt: 2 })
    })

    it('hands out a customer at a time exactly the steps a whole read has, journal and forgotten steps included', async () => {
      const writer = await openLocked()
      const customers = ['local/acme', 'local/acme-corp', 'local/we%2Fird', 'other/acme']
      for (const customer of customers) {
        await writer.append(stepEvent('succeeded', `${customer}/delete`, { kind: 'delete' }))
        for (let day = 1; day <= 3; day++) {
          await writer.append(stepEvent('started', `${customer}/2026-01-0${day}/job`))
          await writer.append(stepEvent('succeeded', `${customer}/2026-01-0${day}/job`, { outputs: { rows: day } }))
        }
      }
      await writer.append(stepEvent('succeeded', 'local/check', { kind: 'check' }))
      await writer.compact()
      // After the snapshot: a change to a snapshot step, a forgotten one, a new step of a known customer, a new customer.
      await writer.append(stepEvent('failed', 'local/acme/2026-01-02/job', { attempt: 2, error: 'boom' }))
      await writer.append({ type: 'forgotten', address: 'local/acme-corp/2026-01-03/job', at: '2026-01-16T00:00:00.000Z' })
      await writer.append(stepEvent('started', 'local/acme/2026-01-04/job'))
      await writer.append(stepEvent('started', 'local/zeta/2026-01-01/job'))
      const reader = await open()
      const whole = await reader.read()
      const byCustomer = await reader.readByCustomer()
      expect({ lineage: byCustomer.lineage, serial: byCustomer.serial }).toEqual({ lineage: whole.lineage, serial: whole.serial })
      const keys: string[] = []
      const steps = new Map<string, unknown>()
      for await (const group of byCustomer.groups()) {
        keys.push(group.key)
        for (const [address, record] of group.steps) {
          expect(address.startsWith(group.key)).toBe(true)
          steps.set(address, record)
        }
      }
      expect(new Set(keys).size).toBe(keys.length)
      expect(keys.sort()).toEqual(['local/acme-corp/', 'local/acme/', 'local/check', 'local/we%2Fird/', 'local/zeta/', 'other/acme/'])
      expect(steps).toEqual(whole.steps)
    })

    it('hands out an absent state as no groups', async () => {
      const byCustomer = await (await open()).readByCustomer()
      expect(byCustomer.serial).toBe(0)
      const groups = []
      for await (const group of byCustomer.groups()) groups.push(group)
      expect(groups).toEqual([])
    })

    it('records a pause without the lock that another handle sees, even while the lock is held, and hands it back once on resume', async () => {
      const holder = await openLocked()
      const pauser = await open()
      expect(await holder.pauseInfo()).toBeUndefined()
      const pause = { who: 'ana', host: 'laptop', pid: 4242, reason: 'dashboards are slow', since: '2026-01-15T00:00:00.000Z' }
      await pauser.pause(pause)
      expect(await holder.pauseInfo()).toEqual(pause)
      const later = { ...pause, reason: 'still slow' }
      await pauser.pause(later)
      expect(await holder.pauseInfo()).toEqual(later)
      const [first, second] = await Promise.all([(await open()).resume(), (await open()).resume()])
      expect([first, second].filter((resumed) => resumed !== undefined)).toEqual([later])
      expect(await holder.pauseInfo()).toBeUndefined()
      // A pause is not a step: the state's content and serial are untouched.
      expect((await holder.read()).serial).toBe(0)
    })

    it('refuses writes without the lock', async () => {
      const store = await open()
      await expect(store.append(stepEvent('started', 'a/job'))).rejects.toThrow(/lock/)
      await expect(store.compact()).rejects.toThrow(/lock/)
    })

    it('lets one holder at a time take the lock, and names the holder to the others', async () => {
      const first = await open()
      const held = await first.lock({ operation: 'apply', timeoutMs: 0 })
      const second = await open()
      const refused = await second.lock(LOCK).catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(LockHeldError)
      expect((refused as LockHeldError).holder).toEqual(held.info)
      expect((refused as LockHeldError).message).toContain(held.info.id)
      expect(await second.lockHolder()).toEqual(held.info)
    })

    it('frees the lock on release', async () => {
      const first = await open()
      const held = await first.lock(LOCK)
      await held.release()
      expect(await first.lockHolder()).toBeUndefined()
      const second = await open()
      const next = await second.lock(LOCK)
      expect(next.info.id).not.toBe(held.info.id)
      await held.release()
      expect((await second.lockHolder())?.id).toBe(next.info.id)
    })

    it('removes a lock by its id with forceUnlock, and refuses any other id', async () => {
      const holder = await open()
      const held = await holder.lock(LOCK)
      const admin = await open()
      await expect(admin.forceUnlock('not-the-id')).rejects.toThrow(/does not match/)
      expect(await admin.lockHolder()).toEqual(held.info)
      expect(await admin.forceUnlock(held.info.id)).toEqual(held.info)
      expect(await admin.lockHolder()).toBeUndefined()
      await expect(admin.forceUnlock(held.info.id)).rejects.toThrow(/not locked/)
    })
  })
}
