import { cp, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FileStateStore } from '../../src/state/file-store.js'
import { encodeSnapshot } from '../../src/state/snapshot-file.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()
const GOLDEN = fileURLToPath(new URL('fixtures/format-1/', import.meta.url))

/** State files of format 1 as committed: any bf that reads format 1 must read them so. */
describe('state format 1', () => {
  it('reads the committed snapshot and journal', async () => {
    const store = new FileStateStore(GOLDEN, 'relabel-2026')
    const snapshot = await store.read()
    expect(store.warnings).toEqual([])
    expect({ ...snapshot, steps: Object.fromEntries(snapshot.steps) }).toEqual({
      formatVersion: 1,
      lineage: '0b6f3c1e-2a4d-4e8f-9c71-5d2a8e4b7f10',
      serial: 6,
      plan: 'relabel-2026',
      steps: {
        'us-east-1-prod/alaska-air/2026-01-15/job': {
          address: 'us-east-1-prod/alaska-air/2026-01-15/job',
          kind: 'job',
          attempt: 1,
          fingerprint: '9f2c',
          inputs: { env: { START: '2026-01-15' } },
          status: 'succeeded',
          startedAt: '2026-01-20T10:00:00.000Z',
          finishedAt: '2026-01-20T10:05:00.000Z',
          outputs: { jobName: 'bf-relabel-alaska-0115-1', uid: '4c1d' },
        },
        'us-east-1-prod/alaska-air/2026-01-15/verify': {
          address: 'us-east-1-prod/alaska-air/2026-01-15/verify',
          kind: 'verify',
          attempt: 1,
          fingerprint: 'c3d4',
          status: 'failed',
          startedAt: '2026-01-20T10:05:01.000Z',
          finishedAt: '2026-01-20T10:05:02.000Z',
          outputs: { duplicates: 90 },
          error: '90 duplicate keys',
        },
      },
    })
  })

  it('writes the snapshot byte for byte as committed', async () => {
    const golden = await readFile(`${GOLDEN}snapshot.json`, 'utf8')
    const dir = await tempDir()
    await cp(`${GOLDEN}snapshot.json`, `${dir}/snapshot.json`)
    const snapshot = await new FileStateStore(dir, 'relabel-2026').read()
    expect(encodeSnapshot(snapshot)).toBe(golden)
  })
})
