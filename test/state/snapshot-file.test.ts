import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { PLAN, readText, writeText, writtenStore } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

function readError(dir: string, plan = PLAN): Promise<Error> {
  return new FileStateStore(dir, plan).read().then(
    () => {
      throw new Error('read() succeeded')
    },
    (error: Error) => error,
  )
}

describe('snapshot.json', () => {
  it('is created with serial 0 and a random lineage by the first write', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 1)
    const file = JSON.parse(await readText(dir, 'snapshot.json')) as Record<string, unknown>
    expect(file).toEqual({ formatVersion: 1, lineage: expect.stringMatching(/^[0-9a-f-]{36}$/), serial: 0, plan: PLAN, steps: [] })
    await store.close()
  })

  it('holds one step per line, sorted by address, after compaction', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 6)
    await store.compact()
    const lines = (await readText(dir, 'snapshot.json')).trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines.slice(1, 4).map((line) => (JSON.parse(line.replace(/,$/, '')) as { address: string }).address)).toEqual(['u/0', 'u/1', 'u/2'])
    await store.close()
  })

  it('edited into invalid JSON is a clear error that says to restore the backup', async () => {
    const dir = await tempDir()
    const store = await writtenStore(dir, 2)
    await store.compact()
    await store.close()
    await writeText(dir, 'snapshot.json', '{"formatVersion": 1, "lineage": oops}')
    const error = await readError(dir)
    expect(error).toBeInstanceOf(UserError)
    const file = path.join(dir, 'snapshot.json')
    expect(error.message).toMatch(/^.*snapshot\.json is damaged \(not valid JSON: /)
    expect(error.message).toContain(`restore the previous one with: cp ${file}.bak ${file}`)
  })

  it('edited into invalid JSON before any compaction says there is no backup', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 1)).close()
    await writeText(dir, 'snapshot.json', '')
    expect((await readError(dir)).message).toMatch(/undo the edit by hand; there is no snapshot\.json\.bak/)
  })

  it('without the fields of a snapshot is damaged too', async () => {
    const dir = await tempDir()
    await writeText(dir, 'snapshot.json', '{"formatVersion":1,"serial":3,"plan":"relabel-2026","steps":[]}')
    expect((await readError(dir)).message).toMatch(/snapshot\.json is damaged \(no "lineage"\)/)
  })

  it('written by a newer bf is refused', async () => {
    const dir = await tempDir()
    await writeText(dir, 'snapshot.json', '{"formatVersion":2,"lineage":"x","serial":0,"plan":"relabel-2026","steps":[],"more":{}}')
    const error = await readError(dir)
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe(`${path.join(dir, 'snapshot.json')}: state written by a newer bf (format 2); upgrade bf`)
  })

  it('of another plan is refused', async () => {
    const dir = await tempDir()
    await (await writtenStore(dir, 1)).close()
    const error = await readError(dir, 'other-plan')
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toMatch(/snapshot\.json is the state of plan "relabel-2026", not "other-plan"/)
  })
})
