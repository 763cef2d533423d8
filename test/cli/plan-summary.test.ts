import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, seedQuickstart } from '../support/cli.js'

let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-summary-'))
  seedQuickstart(join(dir, 'data'), { customers: 2, days: 3, conversationsPerDay: 5 })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const planText = (deletes: boolean): string => {
  const text = relabelPlan({ customers: ['alaska-air', 'acme'], per: 'batch' })
  return deletes ? text : text.replace(/delete:\n {2}per: batch\n {2}timeout: 1m\n/, 'delete: false\n')
}

describe('bf plan --detailed-exitcode and bf apply agree with what the plan shows', () => {
  it('after delete: false, per-batch deletes are steps to forget: shown, exit 2, applied and said, then no changes, exit 0 and an empty graph that says so', () => {
    const plan = join(dir, 'plan.yaml')
    writeFileSync(plan, planText(true))
    expect(bf(['apply', plan, '--auto-approve'], { cwd: dir }).status).toBe(0)

    writeFileSync(plan, planText(false))
    const human = bf(['plan', plan, '--detailed-exitcode'], { cwd: dir })
    expect(human.stderr).toBe('')
    expect(human.status).toBe(2)
    expect(human.stdout).toContain('  - alaska-air 3 delete, 3 await-mutation steps no longer planned')
    expect(human.stdout.trimEnd().split('\n').at(-1)).toBe('Plan: 0 to backfill, 0 to re-run, 6 unchanged, 0 to forget — 0 deletes, 0 jobs, 12 step records to forget.')
    const json = bf(['plan', plan, '--json', '--detailed-exitcode'], { cwd: dir })
    expect(json.status).toBe(2)
    expect((JSON.parse(json.stdout) as { summary: { forget_steps: number } }).summary.forget_steps).toBe(12)

    const applied = bf(['apply', plan, '--auto-approve'], { cwd: dir })
    expect(applied.status).toBe(0)
    expect(applied.stdout).toContain('Apply complete: 0 succeeded, 0 failed, 0 skipped; 12 step records forgotten.')
    const after = bf(['plan', plan, '--detailed-exitcode'], { cwd: dir })
    expect(after.status).toBe(0)
    expect(after.stdout.trimEnd().split('\n').at(-1)).toBe('No changes. Every unit is backfilled and verified.')
    const graph = bf(['graph', plan], { cwd: dir })
    expect(graph.status).toBe(0)
    expect(graph.stdout).toBe('flowchart TD\n')
    expect(graph.stderr).toBe('The graph is empty: no step would run. No changes. Every unit is backfilled and verified.\n')
  })
})
