import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, seedQuickstart } from '../support/cli.js'

let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-no-data-'))
  seedQuickstart(join(dir, 'data'), { customers: 1, days: 3, conversationsPerDay: 5 })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** alaska-air has data; "alsaka-air" is the typo of a person listing customers by hand. */
const planText = (requireData: boolean): string =>
  relabelPlan({ customers: ['alaska-air', 'alsaka-air'] }).replace('  duplicates: true\n', `  duplicates: true\n  requireData: ${requireData}\n`)

describe('a customer with no data', () => {
  it('is a plan warning naming it, verifies as "no data" rather than a ratio of 1, and is an error under verify.requireData', () => {
    const plan = join(dir, 'plan.yaml')
    writeFileSync(plan, planText(false))
    const planned = bf(['plan', plan], { cwd: dir })
    expect(planned.status).toBe(0)
    expect(planned.stdout).toContain('Warning: [no-data] local: customer "alsaka-air" has no rows in default.conversation_d over its window')
    expect(planned.stdout).not.toMatch(/no-data.*alaska-air/)

    expect(bf(['apply', plan, '--auto-approve'], { cwd: dir }).status).toBe(0)
    const verified = bf(['verify', plan], { cwd: dir })
    expect(verified.status).toBe(0)
    expect(verified.stdout).toBe(
      '3 of 6 units verified.\n' +
        '3 units had no data (nothing expected, nothing written): local/alsaka-air/2026-01-01, local/alsaka-air/2026-01-02, local/alsaka-air/2026-01-03. ' +
        'A customer id may be wrong; verify.requireData: true fails them.\n',
    )
    const outputs = bf(['state', 'show', plan, 'local/alsaka-air/2026-01-02/verify'], { cwd: dir }).stdout.split('\noutputs:\n')[1]
    expect(outputs).toBe('  rows: 0\n  keys: 0\n  duplicates: 0\n  expected: 0\n  noData: true\n')

    writeFileSync(plan, planText(true))
    const refused = bf(['plan', plan], { cwd: dir })
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain('Error: [no-data] local: customer "alsaka-air" has no rows')
    const failed = bf(['verify', plan], { cwd: dir })
    expect(failed.status).toBe(1)
    expect(failed.stdout).toContain('Verification failed for 3 of 6 units:')
    expect(failed.stdout).toMatch(/local\/alsaka-air\/2026-01-01 +data +0 +rows in conversation_d \(verify.requireData\)/)
  })
})
