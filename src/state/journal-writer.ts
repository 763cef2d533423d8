import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { fsyncDir } from './fsync.js'
import { encodeJournalLine } from './journal.js'
import type { StepEvent } from './model.js'

/** Where a writer goes on from: the state's serial and the journal's intact part. */
export interface JournalPosition {
  serial: number
  /** Byte length of the journal's intact lines; a damaged tail past it is cut off. */
  validEnd: number
}

/**
 * Appends events to `journal.jsonl` through one open file: each append is one synchronous
 * write of one line (the file is opened with `O_SYNC`: the write returns once the line and
 * the file's new size are on disk, as a write and an fsync would, in one system call), and
 * never reads the journal, so its cost does not grow with the journal. Only the state's
 * lock holder may write, which is what makes the serial kept in memory the state's serial.
 */
export class JournalWriter {
  private constructor(
    private readonly handle: FileHandle,
    private serial: number,
  ) {}

  static async open(file: string, from: JournalPosition): Promise<JournalWriter> {
    const handle = await openForAppend(file)
    try {
      const { size } = await handle.stat()
      if (size < from.validEnd) throw new Error(`${file} shrank while bf held the state lock`)
      if (size > from.validEnd) {
        // A line cut short by a crash: later lines must not be glued onto it.
        await handle.truncate(from.validEnd)
        await handle.sync()
      }
      return new JournalWriter(handle, from.serial)
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  /** The serial of the last line written. */
  get currentSerial(): number {
    return this.serial
  }

  /** Writes one line, durably; resolves with the serial it produced. */
  async append(event: StepEvent): Promise<number> {
    const [serial] = await this.appendAll([event])
    return serial as number
  }

  /**
   * Writes one line per event, in order, in one synchronous write (group commit: one
   * trip to the disk however many events waited); resolves with their serials.
   */
  async appendAll(events: readonly StepEvent[]): Promise<number[]> {
    const serials = events.map((_, index) => this.serial + 1 + index)
    const lines = Buffer.from(events.map((event, index) => encodeJournalLine(serials[index] as number, event)).join(''))
    for (let offset = 0; offset < lines.length; ) {
      const { bytesWritten } = await this.handle.write(lines, offset, lines.length - offset, null)
      offset += bytesWritten
    }
    this.serial += events.length
    return serials
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/** Opens for appending; a journal created here gets its directory entry synced too. */
async function openForAppend(file: string): Promise<FileHandle> {
  const append = constants.O_WRONLY | constants.O_APPEND | constants.O_SYNC
  let handle: FileHandle
  try {
    handle = await open(file, append | constants.O_CREAT | constants.O_EXCL)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return await open(file, append)
  }
  try {
    await fsyncDir(path.dirname(file))
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}
