import { describe, expect, it } from 'vitest'
import { FileStateStore } from '../../src/state/file-store.js'
import type { StepRecord } from '../../src/state/model.js'
import { StateOrderError } from '../../src/state/state-order-error.js'
import type { StateByCustomer, StateStore } from '../../src/state/store.js'
import { stepEvent } from './conformance.js'
import { LOCK, PLAN, readText, writeText } from './state-dir.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

/** A compacted state of two customers with two units each, and one journal event after it. */
async function compactedState(dir: string): Promise<FileStateStore> {
  const store = new FileStateStore(dir, PLAN)
  await store.lock(LOCK)
  for (const customer of ['local/acme', 'local/globex']) {
    for (const day of ['2026-01-01', '2026-01-02']) await store.append(stepEvent('succeeded', `${customer}/${day}/job`))
  }
  await store.compact()
  await store.append(stepEvent('failed', 'local/acme/2026-01-02/job', { attempt: 2, error: 'boom' }))
  return store
}

async function groupsOf(state: StateByCustomer): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>()
  for await (const group of state.groups()) groups.set(group.key, [...group.steps.keys()])
  return groups
}

async function stepsOf(store: StateStore): Promise<Map<string, StepRecord>> {
  const steps = new Map<string, StepRecord>()
  for await (const group of (await store.readByCustomer()).groups()) for (const [address, record] of group.steps) steps.set(address, record)
  return steps
}

describe('reading the state a customer at a time', () => {
  it('refuses to go on, naming why, when a customer\'s steps are not together in the snapshot', async () => {
    const dir = await tempDir()
    const writer = await compactedState(dir)
    const lines = (await readText(dir, 'snapshot.json')).split('\n')
    // Swap a line of acme with one of globex: acme's steps are no longer together.
    ;[lines[2], lines[3]] = [lines[3]!, lines[2]!]
    await writeText(dir, 'snapshot.json', lines.join('\n'))
    const state = await new FileStateStore(dir, PLAN).readByCustomer()
    await expect(groupsOf(state)).rejects.toThrow(StateOrderError)
    await expect(groupsOf(state)).rejects.toThrow(/the steps of local\/acme\/ are not together/)
    await writer.close()
  })

  it('serves a snapshot laid out by hand from a whole read', async () => {
    const dir = await tempDir()
    const writer = await compactedState(dir)
    const whole = await new FileStateStore(dir, PLAN).read()
    const snapshot = JSON.parse(await readText(dir, 'snapshot.json')) as unknown
    await writeText(dir, 'snapshot.json', JSON.stringify(snapshot, null, 2))
    const reader = new FileStateStore(dir, PLAN)
    expect(await stepsOf(reader)).toEqual(whole.steps)
    expect((await reader.readByCustomer()).serial).toBe(whole.serial)
    await writer.close()
  })

  it('refuses to go on when a compaction replaced the snapshot after its head was read', async () => {
    const dir = await tempDir()
    const writer = await compactedState(dir)
    const state = await new FileStateStore(dir, PLAN).readByCustomer()
    await writer.append(stepEvent('succeeded', 'local/acme/2026-01-03/job'))
    await writer.compact()
    await expect(groupsOf(state)).rejects.toThrow(/the snapshot changed while it was read/)
    await writer.close()
  })

  it('hands out the journal\'s events on top of the snapshot\'s steps', async () => {
    const dir = await tempDir()
    const writer = await compactedState(dir)
    const steps = await stepsOf(new FileStateStore(dir, PLAN))
    expect(steps.get('local/acme/2026-01-02/job')).toMatchObject({ status: 'failed', attempt: 2, error: 'boom' })
    expect(steps.get('local/globex/2026-01-02/job')).toMatchObject({ status: 'succeeded', attempt: 1 })
    await writer.close()
  })
})
