import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrateState, pullState, pushState } from '../../src/engine/state-transfer/transfer.js'
import type { ImportOutcome, TransferTarget } from '../../src/engine/state-transfer/transfer.js'
import { FileStateStore } from '../../src/state/file-store.js'
import type { StateSnapshot } from '../../src/state/model.js'
import { readStateDocument } from '../../src/state/state-document.js'
import { stepEvent } from '../state/conformance.js'
import { tempDirs } from '../state/temp-dirs.js'

const PLAN = 'relabel-2026'
const tempDir = tempDirs()

/** A state of `PLAN` in a fresh folder: a job and a verify of one day for each customer, started then succeeded (serial 4 per customer). */
async function stateDir(customers: string[], options: { compact?: boolean } = {}): Promise<string> {
  const dir = await tempDir()
  const store = new FileStateStore(dir, PLAN)
  await store.lock({ operation: 'test', timeoutMs: 0 })
  for (const customer of customers) {
    for (const kind of ['job', 'verify'] as const) {
      const address = `local/${customer}/2026-01-01/${kind}`
      await store.append(stepEvent('started', address, { kind }))
      await store.append(stepEvent('succeeded', address, { kind, outputs: { rows: customer.length } }))
    }
  }
  if (options.compact) await store.compact()
  await store.close()
  return dir
}

function target(dir: string): TransferTarget {
  return { store: new FileStateStore(dir, PLAN), reader: new FileStateStore(dir, PLAN), planName: PLAN, lock: { operation: 'test', timeoutMs: 0 } }
}

async function pulled(dir: string): Promise<string> {
  const chunks: string[] = []
  await pullState(target(dir), async (chunk) => void chunks.push(chunk))
  return chunks.join('')
}

async function documentOf(dir: string): Promise<StateSnapshot> {
  const file = path.join(await tempDir(), 'state.json')
  await writeFile(file, await pulled(dir))
  return readStateDocument(file)
}

const read = (dir: string): Promise<StateSnapshot> => new FileStateStore(dir, PLAN).read()

function push(dir: string, incoming: StateSnapshot, force = false): Promise<ImportOutcome> {
  return pushState(target(dir), { incoming, what: 'state.json', force })
}

describe('state transfer', () => {
  it('pulls a state whose steps are still in the journal as the same state a whole read gives', async () => {
    const dir = await stateDir(['globex', 'acme'])
    const document = await documentOf(dir)
    expect(document).toEqual(await read(dir))
    expect([...document.steps.keys()]).toEqual(['local/globex/2026-01-01/job', 'local/globex/2026-01-01/verify', 'local/acme/2026-01-01/job', 'local/acme/2026-01-01/verify'])
  })

  it('refuses to pull a plan without a state', async () => {
    await expect(pulled(await tempDir())).rejects.toThrow(`plan ${PLAN} has no state yet: nothing to pull`)
  })

  it('pushes the same state as unchanged, writing nothing', async () => {
    const dir = await stateDir(['acme'], { compact: true })
    const files = await readdir(dir)
    const outcome = await push(dir, await documentOf(dir))
    expect(outcome).toMatchObject({ action: 'unchanged', written: { serial: 4 } })
    expect(await readdir(dir)).toEqual(files)
  })

  it('refuses the same serial with other steps, and writes it forced one past the serial, as an older one', async () => {
    const dir = await stateDir(['acme'])
    const edited = await documentOf(dir)
    edited.steps.get('local/acme/2026-01-01/verify')!.status = 'failed'
    await expect(push(dir, edited)).rejects.toThrow("state.json has the state's serial 4 but other steps: it was changed by hand, or by another bf; take a fresh copy (bf state pull), or --force replaces the state anyway")
    const forced = await push(dir, edited, true)
    expect(forced).toMatchObject({ action: 'replaced', written: { serial: 5 }, overridden: [expect.stringContaining('other steps')] })
    const after = await read(dir)
    expect(after.serial).toBe(5)
    expect(after.steps.get('local/acme/2026-01-01/verify')?.status).toBe('failed')

    const older = { ...edited, serial: 2 }
    await expect(push(dir, older)).rejects.toThrow("state.json has serial 2, older than the state's serial 5")
    expect((await push(dir, older, true)).written.serial).toBe(6)
  })

  it("refuses another plan's state unless forced, and then keeps this plan's name", async () => {
    const dir = await stateDir(['acme'])
    const other = { ...(await documentOf(dir)), plan: 'other-plan', serial: 9 }
    await expect(push(dir, other)).rejects.toThrow(`state.json is the state of plan "other-plan", not of "${PLAN}"`)
    expect(await read(dir)).toMatchObject({ serial: 4 })
    await push(dir, other, true)
    expect(await read(dir)).toMatchObject({ plan: PLAN, serial: 9 })
  })

  it('migrates into an empty state keeping lineage and serial, and refuses a source that an apply holds', async () => {
    const from = await stateDir(['acme', 'globex'])
    const to = await tempDir()
    const outcome = await migrateState(target(to), { source: new FileStateStore(from, PLAN), what: from, force: false })
    expect(outcome).toMatchObject({ action: 'replaced', previous: { lineage: '', serial: 0 }, steps: 4 })
    expect(await read(to)).toEqual(await read(from))

    const apply = new FileStateStore(from, PLAN)
    await apply.lock({ operation: 'apply', timeoutMs: 0 })
    try {
      await expect(migrateState(target(to), { source: new FileStateStore(from, PLAN), what: from, force: false })).rejects.toThrow(/^state is locked by \S+ \(pid \d+, apply, since /)
    } finally {
      await apply.close()
    }
    // Neither state is left locked.
    expect(await new FileStateStore(to, PLAN).lockHolder()).toBeUndefined()
    expect(await new FileStateStore(from, PLAN).lockHolder()).toBeUndefined()
  })

  it('refuses to migrate from a state that holds nothing', async () => {
    const to = await tempDir()
    await expect(migrateState(target(to), { source: new FileStateStore(await tempDir(), PLAN), what: 'empty', force: false })).rejects.toThrow('empty holds no state: nothing to migrate')
  })
})
