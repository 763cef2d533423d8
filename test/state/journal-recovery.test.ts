import { appendFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { encodeJournalLine } from '../../src/state/journal.js'
import { stepEvent } from './conformance.js'
import { eventNumber, LOCK, PLAN, readText, writeText, writtenStore } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

async function readError(dir: string): Promise<Error> {
  return new FileStateStore(dir, PLAN).read().then(
    () => {
      throw new Error('read() succeeded')
    },
    (error: Error) => error,
  )
}

describe('reading a journal left by a crash or an edit', () => {
  it('drops a line cut short at the end with a warning, and the next append replaces it', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 3)).close()
    // What a crash in the middle of the fourth append leaves.
    await appendFile(path.join(dir, 'journal.jsonl'), encodeJournalLine(4, eventNumber(3)).slice(0, 30))

    const reader = new FileStateStore(dir, PLAN)
    const snapshot = await reader.read()
    expect(snapshot.serial).toBe(3)
    expect(snapshot.steps.get('u/1')?.status).toBe('started')
    expect(reader.warnings).toEqual([expect.stringMatching(/journal\.jsonl:4: ignored a damaged last line \(no end of line\)/)])

    const store = new FileStateStore(dir, PLAN)
    await store.lock(LOCK)
    expect(await store.append(eventNumber(3))).toBe(4)
    const lines = (await readText(dir, 'journal.jsonl')).split('\n')
    expect(lines).toHaveLength(5)
    expect(lines.slice(0, 4).map((line) => (JSON.parse(line) as { serial: number }).serial)).toEqual([1, 2, 3, 4])
    expect(await reader.read()).toMatchObject({ serial: 4 })
    expect(reader.warnings).toEqual([])
    await store.close()
  })

  it('drops a garbled last line that has its end of line (a crash can leave zeros)', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 2)).close()
    await appendFile(path.join(dir, 'journal.jsonl'), '\0\0\0\0\n')
    const reader = new FileStateStore(dir, PLAN)
    expect((await reader.read()).serial).toBe(2)
    expect(reader.warnings).toEqual([expect.stringMatching(/journal\.jsonl:3: ignored a damaged last line \(not valid JSON\)/)])
  })

  it('refuses a garbled line before the end, naming the file and line', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 3)).close()
    const lines = (await readText(dir, 'journal.jsonl')).split('\n')
    lines[1] = '{"formatVersion":1,"serial":2,"event":{"type":"start'
    await writeText(dir, 'journal.jsonl', lines.join('\n'))
    const error = await readError(dir)
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toContain(`${path.join(dir, 'journal.jsonl')}:2: damaged journal line (not valid JSON)`)
    expect(error.message).toMatch(/Repair the line by hand, or delete it/)
  })

  it('refuses a line that is valid JSON but not an event', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 1)).close()
    await appendFile(path.join(dir, 'journal.jsonl'), '{"formatVersion":1,"serial":2,"event":{"type":"exploded","address":"x","at":""}}\n')
    await appendFile(path.join(dir, 'journal.jsonl'), encodeJournalLine(3, eventNumber(2)))
    expect((await readError(dir)).message).toMatch(/journal\.jsonl:2: damaged journal line \(unknown event type "exploded"\)/)
  })

  it('refuses a journal line written by a newer bf', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 1)).close()
    await appendFile(path.join(dir, 'journal.jsonl'), `${JSON.stringify({ formatVersion: 2, serial: 2, event: eventNumber(1) })}\n`)
    const error = await readError(dir)
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe(`${path.join(dir, 'journal.jsonl')}:2: state written by a newer bf (format 2); upgrade bf`)
  })

  it('refuses a gap in the serials', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 2)).close()
    await appendFile(path.join(dir, 'journal.jsonl'), encodeJournalLine(5, eventNumber(2)))
    expect((await readError(dir)).message).toMatch(/journal\.jsonl:3: journal line has serial 5 after serial 2: events 3\.\.4 are missing/)
  })

  it('refuses events without a snapshot to apply them to', async () => {
    const dir = await tempDir()
    await writeText(dir, 'journal.jsonl', encodeJournalLine(1, stepEvent('started', 'a/job')))
    expect((await readError(dir)).message).toMatch(/journal\.jsonl has events but .*snapshot\.json is missing/)
  })
})
