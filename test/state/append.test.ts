import { constants } from 'node:fs'
import { open, readFile, rename, stat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FileStateStore } from '../../src/state/file-store.js'
import { encodeJournalLine } from '../../src/state/journal.js'
import type { StepEvent } from '../../src/state/model.js'
import { eventNumber, LOCK, PLAN, readText, writtenStore } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

// FileHandle is not exported: reach its prototype through a handle, to watch every write.
const probe = await open(fileURLToPath(import.meta.url), 'r')
await probe.close()
const fileHandle = Object.getPrototypeOf(probe) as FileHandle
const { write: realWrite } = fileHandle

afterEach(() => {
  vi.restoreAllMocks()
})

describe('append', () => {
  // O_SYNC: a write returns once its bytes and the file's size are on disk. Linux shows a file's flags in /proc.
  it.runIf(process.platform === 'linux')('writes one line through a file opened with O_SYNC, one write per append', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    const fds: number[] = []
    vi.spyOn(fileHandle, 'write').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      fds.push(this.fd)
      return Reflect.apply(realWrite, this, args) as ReturnType<FileHandle['write']>
    } as FileHandle['write'])

    const serial = await store.append(eventNumber(1))
    expect(fds).toHaveLength(1)
    const flags = /^flags:\s+([0-7]+)$/m.exec(await readFile(`/proc/self/fdinfo/${fds[0]}`, 'utf8'))?.[1]
    expect(Number.parseInt(flags ?? '0', 8) & constants.O_SYNC).toBe(constants.O_SYNC)
    expect(serial).toBe(2)
    const lines = (await readText(dir, 'journal.jsonl')).split('\n')
    expect(lines[1]).toBe(encodeJournalLine(2, eventNumber(1)).trimEnd())
    await store.close()
  })

  it('writes appends that wait together in one write (group commit), each answered with its serial, in call order', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    const write = vi.spyOn(fileHandle, 'write')
    const events = Array.from({ length: 50 }, (_, i) => eventNumber(i + 1))
    const serials = await Promise.all(events.map((event) => store.append(event)))
    expect(serials).toEqual(events.map((_, i) => i + 2))
    expect(write).toHaveBeenCalledTimes(1)
    const lines = (await readText(dir, 'journal.jsonl')).trimEnd().split('\n')
    expect(lines.slice(1)).toEqual(events.map((event, i) => encodeJournalLine(i + 2, event).trimEnd()))
    // One more append after the group is written goes alone.
    expect(await store.append(eventNumber(51))).toBe(52)
    expect(write).toHaveBeenCalledTimes(2)
    await store.close()
  })

  it('writes appends made in one turn of the event loop together, also when each follows the one before by a few awaits', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    const write = vi.spyOn(fileHandle, 'write')
    // A step's end is appended, then the walk starts the lane's next step and appends its start.
    const end = store.append(eventNumber(1))
    for (let hop = 0; hop < 20; hop++) await Promise.resolve()
    const start = store.append(eventNumber(2))
    expect(await Promise.all([end, start])).toEqual([2, 3])
    expect(write).toHaveBeenCalledTimes(1)
    await store.close()
  })

  it('never reads or reopens the journal: 5,000 appends each add exactly one line to the same open file', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    // Moved away, the journal is reachable only through the store's open file.
    const moved = path.join(dir, 'moved.jsonl')
    await rename(path.join(dir, 'journal.jsonl'), moved)
    const write = vi.spyOn(fileHandle, 'write')

    let size = (await stat(moved)).size
    for (let i = 1; i <= 5_000; i++) {
      const event = eventNumber(i)
      const serial = await store.append(event)
      expect(serial).toBe(i + 1)
      size += Buffer.byteLength(encodeJournalLine(serial, event))
      if (i % 500 === 0) expect((await stat(moved)).size).toBe(size)
    }
    expect(write).toHaveBeenCalledTimes(5_000)
    expect((await stat(moved)).size).toBe(size)
    await expect(stat(path.join(dir, 'journal.jsonl'))).rejects.toThrow(/ENOENT/)
    await store.close()
  })

  it('after a failed write, starts over from the files and reuses the serial that was never recorded', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 2)
    vi.spyOn(fileHandle, 'write').mockImplementationOnce(async function (this: FileHandle, buffer: unknown) {
      // Part of the line reaches the disk, then the device fails.
      await Reflect.apply(realWrite, this, [(buffer as Buffer).subarray(0, 20)])
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })
    } as FileHandle['write'])
    await expect(store.append(eventNumber(2))).rejects.toThrow(/EIO/)
    expect(await store.append(eventNumber(3))).toBe(3)
    const reader = new FileStateStore(dir, PLAN)
    expect((await reader.read()).serial).toBe(3)
    expect(reader.warnings).toEqual([])
    await store.close()
  })

  it('refuses an event it could not read back, and writes nothing', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    const before = await readText(dir, 'journal.jsonl')
    await expect(store.append({ type: 'started', address: '', at: 'now' } as unknown as StepEvent)).rejects.toThrow(/no "address"/)
    await expect(store.append({ ...eventNumber(1), kind: 'dance' } as unknown as StepEvent)).rejects.toThrow(/unknown step kind "dance"/)
    expect(await readText(dir, 'journal.jsonl')).toBe(before)
    await store.close()
  })

  it('goes on from what another holder wrote before this store took the lock', async () => {
    const dir = await tempDir()
    const mine = new FileStateStore(dir, PLAN)
    const held = await mine.lock(LOCK)
    await mine.append(eventNumber(0))
    await held.release()
    const theirs = await writtenStore(dir, 0)
    await theirs.append(eventNumber(1))
    await theirs.close()
    await mine.lock(LOCK)
    expect(await mine.append(eventNumber(2))).toBe(3)
    await mine.close()
  })
})
