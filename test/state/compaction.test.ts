import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileStateStore } from '../../src/state/file-store.js'
import { encodeJournalLine } from '../../src/state/journal.js'
import { stepEvent } from './conformance.js'
import { eventNumber, LOCK, PLAN, readText, writeText, writtenStore } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

describe('compaction', () => {
  it('folds the journal into the snapshot, keeping the previous snapshot and journal as .bak', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 4)
    const journalBefore = await readText(dir, 'journal.jsonl')
    const snapshotBefore = await readText(dir, 'snapshot.json')
    await store.compact()
    expect((await readdir(dir)).sort()).toEqual(['journal.jsonl.bak', 'lock.json', 'snapshot.json', 'snapshot.json.bak'])
    expect(await readText(dir, 'snapshot.json.bak')).toBe(snapshotBefore)
    expect(await readText(dir, 'journal.jsonl.bak')).toBe(journalBefore)
    expect(JSON.parse(await readText(dir, 'snapshot.json'))).toMatchObject({ serial: 4, steps: [{ address: 'u/0' }, { address: 'u/1' }] })
    await store.close()
  })

  it('after a crash between the snapshot rename and the journal rotation, applies no event twice', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 6)
    await store.append({ type: 'forgotten', address: 'u/0', at: '2026-01-16T00:00:00.000Z' })
    const before = await store.read()
    const journal = await readFile(path.join(dir, 'journal.jsonl'))
    await store.compact()
    await store.close()
    // The journal rotation never happened: the old journal is still in place.
    await writeFile(path.join(dir, 'journal.jsonl'), journal)
    await rm(path.join(dir, 'journal.jsonl.bak'))

    const after = new FileStateStore(dir, PLAN)
    expect(await after.read()).toEqual(before)
    await after.lock(LOCK)
    expect(await after.append(stepEvent('started', 'u/0', { attempt: 2 }))).toBe(before.serial + 1)
    expect((await after.read()).steps.get('u/0')).toMatchObject({ status: 'started', attempt: 2 })
    await after.compact()
    expect((await after.read()).serial).toBe(before.serial + 1)
    await after.close()
  })

  it('skips journal lines the snapshot already holds, even where replaying them would change the state', async () => {
    const dir = await tempDir()
    const record = { address: 'a/job', kind: 'job', status: 'succeeded', attempt: 2, fingerprint: 'fp1', startedAt: 't2', finishedAt: 't3' }
    await writeText(dir, 'snapshot.json', JSON.stringify({ formatVersion: 1, lineage: 'l-1', serial: 2, plan: PLAN, steps: [record] }))
    await writeText(
      dir,
      'journal.jsonl',
      encodeJournalLine(1, stepEvent('started', 'a/job', { at: 't0' })) + encodeJournalLine(2, stepEvent('failed', 'a/job', { at: 't1', error: 'x' })),
    )
    const snapshot = await new FileStateStore(dir, PLAN).read()
    expect(snapshot.serial).toBe(2)
    expect(snapshot.steps.get('a/job')).toEqual(record)
  })

  it('leaves the state whole when it crashes before the rename (a stray snapshot.json.tmp)', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 3)
    const before = await store.read()
    await writeText(dir, 'snapshot.json.tmp', '{"half a snap')
    expect(await new FileStateStore(dir, PLAN).read()).toEqual(before)
    await store.compact()
    expect(await new FileStateStore(dir, PLAN).read()).toEqual(before)
    await store.close()
  })

  it('lets snapshot.json.bak be restored without losing the events since', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 5)
    await store.compact()
    await store.append(eventNumber(5))
    await store.append(eventNumber(6))
    const before = await store.read()
    await store.close()

    await writeText(dir, 'snapshot.json', '{"hand edited": ')
    const file = path.join(dir, 'snapshot.json')
    await expect(new FileStateStore(dir, PLAN).read()).rejects.toThrow(`cp ${file}.bak ${file}`)
    await copyFile(`${file}.bak`, file)

    const restored = new FileStateStore(dir, PLAN)
    expect(await restored.read()).toEqual(before)
    expect(restored.warnings).toEqual([expect.stringMatching(/^replayed 5 event\(s\) from .*journal\.jsonl\.bak/)])
    await restored.lock(LOCK)
    expect(await restored.append(eventNumber(7))).toBe(8)
    await restored.compact()
    const compacted = new FileStateStore(dir, PLAN)
    expect((await compacted.read()).serial).toBe(8)
    expect(compacted.warnings).toEqual([])
    await restored.close()
  })
})
