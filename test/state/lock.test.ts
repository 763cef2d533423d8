import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdir } from 'node:fs/promises'
import os from 'node:os'
import { describe, expect, it, vi } from 'vitest'
import { UserError } from '../../src/errors.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { LockHeldError } from '../../src/state/lock-held-error.js'
import type { LockInfo } from '../../src/state/store.js'
import { LOCK, PLAN, readText, writeText } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'
import { waitFor } from '../support/wait-for.js'

const tempDir = tempDirs()

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'])
  await once(child, 'exit')
  return child.pid as number
}

function forgedLock(fields: Partial<LockInfo>): LockInfo {
  return { id: 'forged-id', who: 'alice', host: os.hostname(), pid: 1, operation: 'apply', created: '2026-01-15T00:00:00.000Z', ...fields }
}

async function race(dir: string, racers: number): Promise<{ winners: FileStateStore[]; losers: unknown[] }> {
  const stores = Array.from({ length: racers }, () => new FileStateStore(dir, PLAN))
  const results = await Promise.allSettled(stores.map((store) => store.lock(LOCK)))
  return {
    winners: stores.filter((_, i) => results[i]?.status === 'fulfilled'),
    losers: results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])),
  }
}

describe('the state lock', () => {
  it('records who holds it, and leaves no other file behind', async () => {
    const dir = await tempDir()
    const store = new FileStateStore(dir, PLAN)
    const held = await store.lock({ operation: 'apply', timeoutMs: 0 })
    expect(JSON.parse(await readText(dir, 'lock.json'))).toEqual({
      id: held.info.id,
      who: os.userInfo().username,
      host: os.hostname(),
      pid: process.pid,
      operation: 'apply',
      created: held.info.created,
    })
    expect(await readdir(dir)).toEqual(['lock.json'])
    await held.release()
    expect(await readdir(dir)).toEqual([])
  })

  it('goes to exactly one of many stores racing for it', async () => {
    const dir = await tempDir()
    for (let round = 0; round < 20; round++) {
      const { winners, losers } = await race(dir, 8)
      expect(winners).toHaveLength(1)
      expect(losers).toHaveLength(7)
      for (const loser of losers) expect(loser).toBeInstanceOf(LockHeldError)
      await winners[0]?.close()
    }
  })

  it('says who holds it and, for a holder that runs, to wait rather than unlock', async () => {
    const dir = await tempDir()
    const holder = await new FileStateStore(dir, PLAN).lock(LOCK)
    const refused = new FileStateStore(dir, PLAN, { planRef: 'plans/2026.yaml' }).lock(LOCK)
    const { id, who, host, pid, created } = holder.info
    await expect(refused).rejects.toThrow(
      `state is locked by ${who}@${host} (pid ${pid}, apply, since ${created}, lock id ${id}); wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait for it`,
    )
    await expect(refused).rejects.toBeInstanceOf(UserError)
    await holder.release()
  })

  it('suggests bf unlock, in the terms of the plan file, only for a holder that may be gone', () => {
    const elsewhere = { id: 'l-1', who: 'bob', host: 'ci-runner-7', pid: 12, operation: 'apply', created: '2026-01-15T10:00:00.000Z' }
    const unlockHint = 'wait for it to finish; if it is no longer running, remove its lock: bf unlock plans/2026.yaml l-1'
    // Another host's process cannot be checked from here.
    expect(new LockHeldError(elsewhere, 'bf unlock plans/2026.yaml').message).toBe(
      `state is locked by bob@ci-runner-7 (pid 12, apply, since 2026-01-15T10:00:00.000Z, lock id l-1); ${unlockHint}`,
    )
    const from = 'https://github.com/acme/backfills/actions/runs/7'
    const expired = { ...elsewhere, expires: new Date(Date.now() - 1_000).toISOString(), from }
    expect(new LockHeldError(expired, 'bf unlock plans/2026.yaml').message).toBe(
      `state is locked by bob@ci-runner-7 (pid 12, apply, since 2026-01-15T10:00:00.000Z, expires ${expired.expires}, from ${from}, lock id l-1); ${unlockHint}`,
    )
    // A lease being renewed: its holder runs, wherever it is.
    const renewed = { ...expired, expires: new Date(Date.now() + 60_000).toISOString() }
    expect(new LockHeldError(renewed, 'bf unlock plans/2026.yaml').message).toMatch(/lock id l-1\); wait for it to finish, or pass --lock-timeout \(e\.g\. 10m\) to wait for it$/)
  })

  it('tells of a lease whose holder on this host is gone that the next apply takes it over once it expires', async () => {
    const expires = new Date(Date.now() + 60_000).toISOString()
    const lease = forgedLock({ pid: await deadPid(), expires })
    expect(new LockHeldError(lease, 'bf unlock plans/2026.yaml').message).toBe(
      `state is locked by alice@${os.hostname()} (pid ${lease.pid}, apply, since 2026-01-15T00:00:00.000Z, expires ${expires}, lock id forged-id); ` +
        `that process is no longer running, and its lease expires at ${expires}: then the next bf apply takes it over; ` +
        'pass --lock-timeout (e.g. 1m) to wait for that, or remove its lock now: bf unlock plans/2026.yaml forged-id',
    )
  })

  it('is taken over, with a warning, when its process on this host is gone', async () => {
    const dir = await tempDir()
    const pid = await deadPid()
    await writeText(dir, 'lock.json', JSON.stringify(forgedLock({ pid })))
    const onWarning = vi.fn()
    const held = await new FileStateStore(dir, PLAN).lock({ ...LOCK, onWarning })
    expect(onWarning).toHaveBeenCalledTimes(1)
    expect(onWarning).toHaveBeenCalledWith(
      `removed the stale state lock of alice@${os.hostname()} (pid ${pid}, apply, since 2026-01-15T00:00:00.000Z, lock id forged-id): that process is no longer running`,
    )
    expect(JSON.parse(await readText(dir, 'lock.json'))).toMatchObject({ id: held.info.id })
    await held.release()
  })

  it('is taken over by exactly one of many stores racing for a stale lock', async () => {
    const dir = await tempDir()
    const pid = await deadPid()
    for (let round = 0; round < 10; round++) {
      await writeText(dir, 'lock.json', JSON.stringify(forgedLock({ id: `forged-${round}`, pid })))
      const { winners, losers } = await race(dir, 8)
      expect(winners).toHaveLength(1)
      for (const loser of losers) expect(loser).toBeInstanceOf(LockHeldError)
      expect(await winners[0]?.lockHolder()).toMatchObject({ pid: process.pid })
      await winners[0]?.close()
    }
  })

  it('is taken over when it names this very process but not a lock this process holds (a reused pid)', async () => {
    const dir = await tempDir()
    await writeText(dir, 'lock.json', JSON.stringify(forgedLock({ pid: process.pid })))
    const onWarning = vi.fn()
    const held = await new FileStateStore(dir, PLAN).lock({ ...LOCK, onWarning })
    expect(onWarning).toHaveBeenCalledTimes(1)
    await held.release()
  })

  it('of another host is never taken over, even when a process with its pid is gone here', async () => {
    const dir = await tempDir()
    const pid = await deadPid()
    await writeText(dir, 'lock.json', JSON.stringify(forgedLock({ host: 'runner-7.example', pid })))
    const refused = new FileStateStore(dir, PLAN).lock({ ...LOCK, timeoutMs: 300 })
    await expect(refused).rejects.toThrow(`state is locked by alice@runner-7.example (pid ${pid}, apply`)
    expect(JSON.parse(await readText(dir, 'lock.json'))).toMatchObject({ id: 'forged-id' })
  })

  it('is waited for up to the lock timeout, and taken when released meanwhile', async () => {
    const dir = await tempDir()
    const first = await new FileStateStore(dir, PLAN).lock(LOCK)
    const waiter = new FileStateStore(dir, PLAN)
    const waiting = waiter.lock({ ...LOCK, timeoutMs: 30_000 })
    // The waiter writes its lock complete under a private name before trying to link it into place,
    // and keeps it until it holds the lock or gives up: it is waiting once that file is there.
    await waitFor(async () => (await readdir(dir)).some((name) => /^lock\.json\..+\.tmp$/.test(name)), { what: "the waiter's lock draft" })
    expect(await waiter.lockHolder()).toEqual(first.info)
    await first.release()
    const second = await waiting
    expect(await waiter.lockHolder()).toEqual(second.info)
    await waiter.close()
    expect(await waiter.lockHolder()).toBeUndefined()
  })

  it('is given up on once the lock timeout has passed', async () => {
    const dir = await tempDir()
    const first = await new FileStateStore(dir, PLAN).lock(LOCK)
    await expect(new FileStateStore(dir, PLAN).lock({ ...LOCK, timeoutMs: 500 })).rejects.toBeInstanceOf(LockHeldError)
    await first.release()
  })

  it('is released only if it is still ours: a release after a force-unlock leaves the next holder alone', async () => {
    const dir = await tempDir()
    const first = await new FileStateStore(dir, PLAN).lock(LOCK)
    await new FileStateStore(dir, PLAN).forceUnlock(first.info.id)
    const next = new FileStateStore(dir, PLAN)
    const second = await next.lock(LOCK)
    await first.release()
    expect(await next.lockHolder()).toEqual(second.info)
    await second.release()
  })

  it('that is not a lock file is a clear error', async () => {
    const dir = await tempDir()
    await writeText(dir, 'lock.json', '{"id": ')
    const error = await new FileStateStore(dir, PLAN).lock(LOCK).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(/lock\.json is not a bf lock \(not valid JSON\); if no bf is running on this state, delete the file/)
  })

  it('survives a removal claim left by a process that died while taking it over', async () => {
    const dir = await tempDir()
    await writeText(dir, 'lock.json', JSON.stringify(forgedLock({ host: 'runner-7.example' })))
    await writeText(dir, 'lock.json.forged-id.removing', JSON.stringify(forgedLock({ host: 'runner-7.example' })))
    const store = new FileStateStore(dir, PLAN)
    expect(await store.forceUnlock('forged-id')).toMatchObject({ host: 'runner-7.example' })
    expect(await readdir(dir)).toEqual([])
    const held = await store.lock(LOCK)
    await held.release()
  })
})
