import { randomUUID } from 'node:crypto'
import { rename } from 'node:fs/promises'
import { copyFileSynced, ensureDir, fsyncDir, replaceFileAtomically } from './fsync.js'
import { stepEventProblem } from './journal.js'
import { GroupCommit } from './group-commit.js'
import { JournalWriter } from './journal-writer.js'
import type { JournalPosition } from './journal-writer.js'
import { loadState } from './load-state.js'
import type { LoadedState } from './load-state.js'
import { acquireFileLock, forceUnlockFile, readLockFile } from './lock.js'
import { STATE_FORMAT_VERSION } from './model.js'
import type { StateSnapshot, StepEvent } from './model.js'
import { encodeSnapshot, snapshotChunks } from './snapshot-file.js'
import { stateFiles } from './state-files.js'
import type { StateFiles } from './state-files.js'
import { readStateByCustomer } from './read-by-customer.js'
import { readPauseFile, removePauseFile, writePauseFile } from './pause-file.js'
import type { AppendOptions, HeldLock, LockInfo, LockOptions, PauseInfo, StateByCustomer, StateStore } from './store.js'

export interface FileStateStoreOptions {
  /** How `bf unlock` hints name the plan (the plan file as the user gave it); default: the plan name. */
  planRef?: string
}

type WriterStart = JournalPosition & { exists: boolean }

/**
 * A plan's state as files in one directory: `snapshot.json`, `journal.jsonl` appended
 * through one open file, and `lock.json` (see `lock.ts`). Compaction replaces the
 * snapshot atomically, keeping the previous one as `snapshot.json.bak` and the folded
 * journal as `journal.jsonl.bak`; a crash at any point of it loses nothing. A pause is
 * `pause.json`, apart from the lock, so that whoever pauses needs no lock.
 */
export class FileStateStore implements StateStore {
  readonly warnings: string[] = []
  private readonly files: StateFiles
  private readonly planRef: string
  private heldLock?: HeldLock
  private writer?: JournalWriter
  /** Where a writer would go on from, when a load under the lock already found it. */
  private writerStart?: WriterStart
  /** The lineage an absent state gets at its first write, shown by reads under the lock before it. */
  private newLineage?: string
  /** Writes run one at a time, in call order, so journal lines keep the order of their serials. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Events appended while a write was under way: the next write takes them all at once. */
  private readonly commits = new GroupCommit(
    (write) => void this.serialized(write),
    (events) => this.writeEvents(events),
  )

  constructor(
    readonly dir: string,
    readonly planName: string,
    options: FileStateStoreOptions = {},
  ) {
    this.files = stateFiles(dir)
    this.planRef = options.planRef ?? planName
  }

  async read(): Promise<StateSnapshot> {
    const loaded = this.heldLock ? await this.serialized(() => this.loadUnderLock()) : await this.load()
    this.warnings.splice(0, this.warnings.length, ...loaded.warnings)
    return loaded.snapshot
  }

  async readByCustomer(): Promise<StateByCustomer> {
    const read = await readStateByCustomer(this.files, this.planName)
    this.warnings.splice(0, this.warnings.length, ...read.warnings)
    return read
  }

  async append(event: StepEvent, options: AppendOptions = {}): Promise<number> {
    this.requireLock('append')
    const problem = stepEventProblem(event)
    if (problem) throw new Error(`cannot record this event for ${JSON.stringify(event.address)}: ${problem}`)
    return this.commits.add(event, options.deferred === true)
  }

  /** Waiting events in one durable write, their serials once it is on disk. */
  private async writeEvents(events: StepEvent[]): Promise<number[]> {
    const writer = await this.openWriter()
    try {
      return await writer.appendAll(events)
    } catch (error) {
      // The lines may be half written: the next append starts over from the files.
      this.writer = undefined
      await writer.close().catch(() => undefined)
      throw error
    }
  }

  async compact(): Promise<void> {
    this.requireLock('compact')
    await this.serialized(() => this.compactNow())
  }

  async replace(snapshot: StateSnapshot): Promise<void> {
    this.requireLock('replace')
    await this.serialized(async () => {
      await this.closeWriter()
      this.writerStart = undefined
      const loaded = await this.load()
      if (loaded.exists) await copyFileSynced(this.files.snapshot, this.files.snapshotBackup)
      await replaceFileAtomically(this.files.snapshot, snapshotChunks({ ...snapshot, plan: this.planName }))
      await renameIfExists(this.files.journal, this.files.journalBackup)
      await fsyncDir(this.dir)
      this.writerStart = { exists: true, serial: snapshot.serial, validEnd: 0 }
    })
  }

  async lock(options: LockOptions): Promise<HeldLock> {
    if (this.heldLock) throw new Error(`this store already holds the lock of ${this.dir}`)
    await ensureDir(this.dir)
    const lock = await acquireFileLock(this.files.lock, { ...options, unlockCommand: `bf unlock ${this.planRef}` })
    // Others may have written before we got the lock: nothing known before it still holds.
    this.writerStart = undefined
    this.newLineage = randomUUID()
    this.heldLock = lock
    return { info: lock.info, release: () => this.release(lock) }
  }

  pause(info: PauseInfo): Promise<void> {
    return writePauseFile(this.files.pause, info)
  }

  resume(): Promise<PauseInfo | undefined> {
    return removePauseFile(this.files.pause)
  }

  pauseInfo(): Promise<PauseInfo | undefined> {
    return readPauseFile(this.files.pause)
  }

  lockHolder(): Promise<LockInfo | undefined> {
    return readLockFile(this.files.lock)
  }

  forceUnlock(id: string): Promise<LockInfo> {
    return forceUnlockFile(this.files.lock, id)
  }

  async close(): Promise<void> {
    if (this.heldLock) await this.release(this.heldLock)
    else await this.serialized(() => this.closeWriter())
  }

  private async release(lock: HeldLock): Promise<void> {
    if (this.heldLock !== lock) return
    await this.commits.flush()
    await this.serialized(() => this.closeWriter())
    this.heldLock = undefined
    this.writerStart = undefined
    this.newLineage = undefined
    await lock.release()
  }

  private load(): Promise<LoadedState> {
    return loadState(this.files, this.planName)
  }

  private async loadUnderLock(): Promise<LoadedState> {
    const loaded = await this.load()
    if (!this.writer) this.writerStart = startOf(loaded)
    if (!loaded.exists && this.newLineage) loaded.snapshot.lineage = this.newLineage
    return loaded
  }

  private async openWriter(): Promise<JournalWriter> {
    if (this.writer) return this.writer
    const start = this.writerStart ?? startOf(await this.load())
    this.writerStart = undefined
    if (!start.exists) {
      const lineage = this.newLineage ?? randomUUID()
      const snapshot = { formatVersion: STATE_FORMAT_VERSION, lineage, serial: 0, plan: this.planName, steps: new Map() }
      await replaceFileAtomically(this.files.snapshot, encodeSnapshot(snapshot))
    }
    this.writer = await JournalWriter.open(this.files.journal, start)
    return this.writer
  }

  /*
   * Order matters for crash safety. Until the rename the old snapshot and the whole
   * journal are in place. After it, journal lines up to the new snapshot's serial are
   * skipped on read. Rotating the journal (rather than truncating it) keeps the events
   * since `snapshot.json.bak`, so restoring that backup loses nothing.
   */
  private async compactNow(): Promise<void> {
    await this.closeWriter()
    this.writerStart = undefined
    const loaded = await this.load()
    if (!loaded.exists) return
    if (loaded.snapshot.serial !== loaded.snapshotSerial || loaded.journalBytes > 0) {
      await copyFileSynced(this.files.snapshot, this.files.snapshotBackup)
      await replaceFileAtomically(this.files.snapshot, snapshotChunks(loaded.snapshot))
      await renameIfExists(this.files.journal, this.files.journalBackup)
      await fsyncDir(this.dir)
    }
    this.writerStart = { exists: true, serial: loaded.snapshot.serial, validEnd: 0 }
  }

  private async closeWriter(): Promise<void> {
    const writer = this.writer
    this.writer = undefined
    await writer?.close()
  }

  private requireLock(operation: string): void {
    if (!this.heldLock) throw new Error(`${operation} needs the state lock of ${this.dir}: call lock() first`)
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work)
    this.queue = result.catch(() => undefined)
    return result
  }
}

function startOf(loaded: LoadedState): WriterStart {
  return { exists: loaded.exists, serial: loaded.snapshot.serial, validEnd: loaded.journalValidEnd }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
