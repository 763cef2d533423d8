import { randomUUID } from 'node:crypto'
import { link, unlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../errors.js'
import { fsyncDir, writeFileSynced } from './fsync.js'
import { parseHolderText } from './lock-info-text.js'
import { readIfExists } from './open-if-exists.js'
import { describeLockHolder, LockHeldError } from './lock-held-error.js'
import type { HeldLock, LockInfo, LockOptions } from './store.js'

/*
 * The lock is `lock.json`, and every change to it is exclusive:
 * - it is created complete: written and synced under a private name, then hard-linked
 *   into place (`link` fails when the name exists), so nobody ever reads half a lock;
 * - it is removed only after claiming `lock.json.<id>.removing` with `link` as well,
 *   then checking the claimed file still carries that id. Two processes taking over the
 *   same stale lock cannot both remove it, and neither can remove a lock that replaced it.
 */

const POLL_MS = 150
/** A removal claim lives for a few milliseconds; wait this many times before treating the lock as held. */
const BUSY_RETRIES = 25
const BUSY_RETRY_MS = 20

/** Ids of the locks this process holds: a lock with this pid but another id is left over from an earlier process. */
const heldByThisProcess = new Set<string>()

export interface FileLockOptions extends LockOptions {
  /** The command that removes this state's lock, without the id (`bf unlock plans/2026.yaml`). */
  unlockCommand: string
}

/** Takes the lock at `file`, taking over a stale one and waiting up to `timeoutMs` for a live one. */
export async function acquireFileLock(file: string, options: FileLockOptions): Promise<HeldLock> {
  const info: LockInfo = {
    id: randomUUID(),
    who: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    operation: options.operation,
    created: new Date().toISOString(),
  }
  const draft = `${file}.${info.id}.tmp`
  await writeFileSynced(draft, `${JSON.stringify(info, null, 2)}\n`)
  // Known before the lock can appear, so that no other store in this process mistakes it for a stale one.
  heldByThisProcess.add(info.id)
  let acquired = false
  try {
    const deadline = Date.now() + options.timeoutMs
    let busyRetries = 0
    for (;;) {
      if (await linkExclusive(draft, file)) {
        try {
          await fsyncDir(path.dirname(file))
        } catch (error) {
          await removeLock(file, info.id).catch(() => undefined)
          throw error
        }
        acquired = true
        return { info, release: () => releaseFileLock(file, info.id) }
      }
      const holder = await readLockFile(file)
      if (holder === undefined) continue
      if (isStale(holder)) {
        const outcome = await removeLock(file, holder.id)
        if (outcome === 'removed') {
          options.onWarning?.(`removed the stale state lock of ${describeLockHolder(holder)}: that process is no longer running`)
        }
        if (outcome !== 'busy') continue
        if (busyRetries++ < BUSY_RETRIES) {
          await sleep(BUSY_RETRY_MS)
          continue
        }
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new LockHeldError(holder, options.unlockCommand)
      await sleep(Math.min(POLL_MS, left))
    }
  } finally {
    if (!acquired) heldByThisProcess.delete(info.id)
    await unlink(draft).catch(() => undefined)
  }
}

/** The lock's holder, or undefined when there is no lock. */
export async function readLockFile(file: string): Promise<LockInfo | undefined> {
  const bytes = await readIfExists(file)
  if (bytes === undefined) return undefined
  const text = bytes.toString('utf8')
  const invalid = (problem: string): UserError =>
    new UserError(`${file} is not a bf lock (${problem}); if no bf is running on this state, delete the file`)
  const value = parseHolderText(text, invalid)
  const { id, who, host, pid, operation, created } = value as unknown as LockInfo
  return { id, who, host, pid, operation, created }
}

/** Removes the lock `id` whoever holds it (`bf unlock`); refuses when the lock has another id. */
export async function forceUnlockFile(file: string, id: string): Promise<LockInfo> {
  const holder = await readLockFile(file)
  if (holder === undefined) throw new UserError(`the state is not locked (there is no ${file}); nothing to unlock`)
  if (holder.id !== id) {
    throw new UserError(`lock id ${id} does not match the lock held by ${describeLockHolder(holder)}; nothing was unlocked`)
  }
  let outcome = await removeLock(file, id)
  if (outcome === 'busy') {
    await sleep(BUSY_RETRY_MS * BUSY_RETRIES)
    outcome = await removeLock(file, id)
  }
  if (outcome === 'busy') {
    // Still claimed: the claim is left over from a remover that died mid-way.
    await unlink(removalClaim(file, id)).catch(() => undefined)
    outcome = await removeLock(file, id)
  }
  if (outcome === 'changed') return forceUnlockFile(file, id)
  return holder
}

async function releaseFileLock(file: string, id: string): Promise<void> {
  heldByThisProcess.delete(id)
  await removeLock(file, id)
}

type Removal = 'removed' | 'absent' | 'changed' | 'busy'

/** Removes `file` only if it is the lock `id`: see the protocol at the top. */
async function removeLock(file: string, id: string): Promise<Removal> {
  const claim = removalClaim(file, id)
  try {
    await link(file, claim)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return 'absent'
    if (code === 'EEXIST') return 'busy'
    throw error
  }
  try {
    const claimed = await readLockFile(claim)
    if (claimed?.id !== id) return 'changed'
    await unlink(file)
    await fsyncDir(path.dirname(file))
    return 'removed'
  } finally {
    await unlink(claim).catch(() => undefined)
  }
}

function removalClaim(file: string, id: string): string {
  return `${file}.${id}.removing`
}

async function linkExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
}

/** A lock is stale when its process is known to be gone: only a process on this host can be checked. */
function isStale(holder: LockInfo): boolean {
  if (holder.host !== os.hostname()) return false
  if (holder.pid === process.pid) return !heldByThisProcess.has(holder.id)
  return !processExists(holder.pid)
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

export function currentUser(): string {
  try {
    return os.userInfo().username
  } catch {
    // A uid without a passwd entry (common in containers).
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`
  }
}
