import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openMigrationSource } from '../../src/cli/migration-source.js'
import { loadPlan } from '../../src/plan/load.js'
import type { PlanSpec } from '../../src/plan/model.js'
import { FileStateStore } from '../../src/state/file-store.js'
import { stepEvent } from '../state/conformance.js'
import { tempDirs } from '../state/temp-dirs.js'
import { relabelPlan } from '../support/embedded-workspace.js'

const tempDir = tempDirs()

/** A plan file in `dir` whose state is the folder `.bf/STATE`. */
async function planIn(dir: string, name: string, state: string): Promise<PlanSpec> {
  const file = path.join(dir, `${name}.yaml`)
  await writeFile(file, relabelPlan({ customers: ['acme'], extra: `state:\n  path: .bf/${state}\n` }))
  return (await loadPlan(file)).spec
}

async function written(spec: PlanSpec): Promise<void> {
  const store = new FileStateStore(spec.statePath, spec.name)
  await store.lock({ operation: 'test', timeoutMs: 0 })
  await store.append(stepEvent('succeeded', 'local/acme/2026-01-01/job'))
  await store.close()
}

describe('the state bf state migrate --from names', () => {
  it('is a state folder, whatever plan it belongs to, or another plan file’s state', async () => {
    const dir = await tempDir()
    const target = await planIn(dir, 'target', 'target')
    const old = await planIn(dir, 'old', 'old')
    await written(old)

    const folder = await openMigrationSource(old.statePath, target)
    expect(folder.what).toBe(old.statePath)
    expect((await folder.store.read()).steps.has('local/acme/2026-01-01/job')).toBe(true)

    const plan = await openMigrationSource(old.source.file, target)
    expect(plan.what).toMatch(/old\.yaml \(.*\.bf\/old\)$/)
    expect((await plan.store.read()).serial).toBe(1)
  })

  it('is refused, in one line, when it is missing, holds no state, or is the plan’s own state', async () => {
    const dir = await tempDir()
    const target = await planIn(dir, 'target', 'target')
    const twin = await planIn(dir, 'twin', 'target')
    const empty = path.join(dir, 'empty')
    await mkdir(empty)
    await expect(openMigrationSource(path.join(dir, 'nowhere'), target)).rejects.toThrow(/^--from \S+nowhere: no such state folder or plan file$/)
    await expect(openMigrationSource(empty, target)).rejects.toThrow(`${empty} holds no bf state (no ${path.join(empty, 'snapshot.json')})`)
    await expect(openMigrationSource(target.statePath, target)).rejects.toThrow('is the state folder of')
    await expect(openMigrationSource(twin.source.file, target)).rejects.toThrow(/twin\.yaml and \S+target\.yaml keep their state in the same place \(.*\): nothing to migrate$/)
  })
})
