import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStateStore } from '../../src/cli/engine-wiring.js'
import { loadPlan } from '../../src/plan/load.js'
import type { StateSnapshot } from '../../src/state/model.js'
import { readStateDocument } from '../../src/state/state-document.js'
import type { StateStore } from '../../src/state/store.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, seedQuickstart } from '../support/cli.js'
import { validateState } from '../support/state-schema.js'

/*
 * One data folder and one applied plan (`applied.yaml`, its state in .bf/state/relabel-test);
 * every other plan file is the same plan with a state folder of its own (`state: { path }`).
 */
let dir: string
let applied: string
/** `bf state pull applied.yaml`, taken once. */
let pulled: string

const CUSTOMERS = ['alaska-air', 'acme']

/** The applied plan with its state in `.bf/NAME`: a plan file of its own, with no state yet. */
function planWithState(name: string): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, relabelPlan({ customers: CUSTOMERS, extra: `state:\n  path: .bf/${name}\n` }))
  return file
}

const run = (args: string[]) => bf(args, { cwd: dir })

/** Writes `text` to a file of the test folder and returns its name. */
function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text)
  return name
}

async function stateOf(plan: string): Promise<StateSnapshot> {
  const { spec } = await loadPlan(plan)
  return openStateStore(spec).read()
}

/** Runs `work` on the plan's state store (the same one bf opens) holding its lock, as a bf process elsewhere would. */
async function withLockedStore(plan: string, work: (store: StateStore) => Promise<unknown>): Promise<void> {
  const { spec } = await loadPlan(plan)
  const store = openStateStore(spec)
  const lock = await store.lock({ operation: 'test', timeoutMs: 0 })
  try {
    await work(store)
  } finally {
    await lock.release()
    await store.close()
  }
}

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-state-transfer-'))
  seedQuickstart(join(dir, 'data'), { customers: CUSTOMERS.length, days: 3, conversationsPerDay: 5 })
  applied = join(dir, 'applied.yaml')
  writeFileSync(applied, relabelPlan({ customers: CUSTOMERS }))
  const apply = run(['apply', applied, '--auto-approve'])
  expect(apply.status, apply.stderr).toBe(0)
  const pull = run(['state', 'pull', applied])
  expect(pull.status, pull.stderr).toBe(0)
  pulled = pull.stdout
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bf state pull and push', () => {
  it('pull prints the whole state, and push of it into an empty state gives back the same state, byte for byte', async () => {
    const document = JSON.parse(pulled) as { formatVersion: number; lineage: string; serial: number; plan: string; steps: { address: string }[] }
    expect(validateState(document), JSON.stringify(validateState.errors)).toBe(true)
    const state = await stateOf(applied)
    expect(document).toMatchObject({ formatVersion: 1, lineage: state.lineage, serial: state.serial, plan: 'relabel-test' })
    expect(document.steps.map((step) => step.address)).toEqual([...state.steps.keys()].sort())
    // 2 customers × 3 days × (job, verify), a delete and its await per customer, and the cluster's check.
    expect(document.steps).toHaveLength(17)

    const copy = planWithState('copy')
    const push = run(['state', 'push', copy, file('pulled.json', pulled)])
    expect(push.status, push.stderr).toBe(0)
    expect(push.stdout).toBe(`Pushed pulled.json to the state of relabel-test in .bf/copy: 17 steps, lineage ${state.lineage}, serial ${state.serial} (there was no state before).\n`)
    expect(run(['state', 'pull', copy]).stdout).toBe(pulled)
  })

  it('push of an older serial is refused, and the state is left as it was', async () => {
    const moved = planWithState('moved')
    await withLockedStore(moved, async (store) => {
      await store.replace(await readStateDocument(join(dir, file('pulled.json', pulled))))
      // The state moves on after the copy was taken: a step is forgotten.
      await store.append({ type: 'forgotten', address: 'local/acme/2026-01-01/verify', at: new Date().toISOString() })
    })
    const before = await stateOf(moved)
    const push = run(['state', 'push', moved, 'pulled.json'])
    expect(push.status).toBe(1)
    expect(push.stderr.trimEnd().split('\n')).toEqual([
      `Error: pulled.json has serial ${before.serial - 1}, older than the state's serial ${before.serial}: the state moved on since; take a newer copy (bf state pull), or --force replaces the state anyway`,
    ])
    expect(await stateOf(moved)).toEqual(before)
  })

  it('push of another lineage is refused, then accepted with --force; migrate onto that state is refused too', async () => {
    const target = planWithState('other')
    await withLockedStore(target, async (store) => store.replace(await readStateDocument(join(dir, file('pulled.json', pulled)))))
    const { lineage, serial } = await stateOf(target)
    const foreign = file('foreign.json', pulled.replace(`"lineage":"${lineage}"`, '"lineage":"4a0c1e7e-0000-4000-8000-000000000000"'))

    const refused = run(['state', 'push', target, foreign])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toBe(
      `Error: foreign.json has lineage 4a0c1e7e-0000-4000-8000-000000000000 but the state of relabel-test has lineage ${lineage} (serial ${serial}): they are different histories; check you have the right state, or --force replaces the state anyway\n`,
    )
    expect((await stateOf(target)).lineage).toBe(lineage)

    const forced = run(['state', 'push', target, foreign, '--force'])
    expect(forced.status, forced.stderr).toBe(0)
    expect(forced.stderr).toMatch(/^Warning: --force: foreign\.json has lineage 4a0c1e7e-\S+ but the state of relabel-test has lineage /)
    expect(forced.stdout).toContain(`it replaced lineage ${lineage}, serial ${serial}`)
    expect((await stateOf(target)).lineage).toBe('4a0c1e7e-0000-4000-8000-000000000000')

    // The applied plan's folder holds the original lineage: copying it over is refused as well.
    const migrate = run(['state', 'migrate', target, '--from', '.bf/state/relabel-test'])
    expect(migrate.status).toBe(1)
    expect(migrate.stderr).toMatch(/^Error: \.bf\/state\/relabel-test has lineage \S+ but the state of relabel-test has lineage 4a0c1e7e-\S+ \(serial \d+\): they are different histories; .* or --force replaces the state anyway\n$/)
    expect((await stateOf(target)).lineage).toBe('4a0c1e7e-0000-4000-8000-000000000000')
  })

  it('pull and push are refused while an apply holds the lock, naming it', async () => {
    const { spec } = await loadPlan(applied)
    const store = openStateStore(spec)
    const lock = await store.lock({ operation: 'apply', timeoutMs: 0 })
    try {
      for (const args of [['state', 'pull', applied], ['state', 'push', applied, file('pulled.json', pulled)]]) {
        const refused = run(args)
        expect(refused.status).toBe(1)
        expect(refused.stdout).toBe('')
        expect(refused.stderr).toMatch(new RegExp(`^Error: state is locked by \\S+ \\(pid ${process.pid}, apply, since \\S+, lock id ${lock.info.id}\\); .*\\n$`))
      }
    } finally {
      await lock.release()
      await store.close()
    }
  })
})

describe('bf state migrate', () => {
  it('copies a state folder into the plan\'s state, keeping lineage and serial, after which bf plan has nothing to do', async () => {
    const moved = planWithState('migrated')
    const source = await stateOf(applied)
    const migrate = run(['state', 'migrate', moved, '--from', '.bf/state/relabel-test'])
    expect(migrate.status, migrate.stderr).toBe(0)
    expect(migrate.stdout).toBe(
      `Copied the state of relabel-test from .bf/state/relabel-test to .bf/migrated: 17 steps, lineage ${source.lineage}, serial ${source.serial} (there was no state before).\n`,
    )
    expect(await stateOf(moved)).toEqual(source)
    const plan = run(['plan', moved, '--detailed-exitcode'])
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
    expect(plan.stdout).toContain('No changes.')
    expect(readFileSync(join(dir, '.bf', 'migrated', 'snapshot.json'), 'utf8')).toBe(pulled)
  })
})
