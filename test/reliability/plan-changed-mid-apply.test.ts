import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bf, bfProcess, chdbQuery, ensureBuilt } from '../support/cli.js'
import { waitFor } from '../support/wait-for.js'
import { hasStackTrace, quickstartWorkspace, TempDirs, warehouseDigest } from './workspace.js'

const plan = (customers: string, job = '', deletePer: 'customer' | 'cluster' = 'customer') => `version: 1
name: changed
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-05T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: ${deletePer} }
job:
  kind: sql
  sql: |
    INSERT INTO conversation_with_labels
    SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'relabelled', toDateTime('2026-06-01 00:00:00')
    FROM conversation_d WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}${job}
  retries: 0
  concurrency: 1
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
rollout: { canary: [alaska-air] }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [${customers}]
`

const ALL = 'alaska-air, acme, globex'
const WITHOUT_GLOBEX = 'alaska-air, acme'
const SIZE = { customers: 3, days: 4, conversationsPerDay: 15 }

const dirs = new TempDirs()
beforeAll(() => ensureBuilt())
afterAll(() => dirs.removeAll())

function journalText(dir: string): string {
  try {
    return readFileSync(join(dir, '.bf', 'state', 'changed', 'journal.jsonl'), 'utf8')
  } catch {
    return ''
  }
}

function relabelledRows(dir: string, customer: string): number {
  const [rows] = chdbQuery<{ n: string }>(join(dir, 'data'), [`SELECT count() AS n FROM conversation_with_labels WHERE customer_id = '${customer}' AND label = 'relabelled'`])
  return Number(rows?.[0]?.n)
}

describe('a customer removed from the plan file while an apply runs', () => {
  it('the running apply finishes the plan it showed; others are refused; the next plan forgets the customer', { timeout: 180_000 }, async () => {
    const dir = quickstartWorkspace(dirs, plan(ALL), SIZE)
    expect(bf(['plan', 'plan.yaml', '-o', 'before.plan'], { cwd: dir }).status).toBe(0)

    const running = bfProcess(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
    let output = ''
    running.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => running.on('close', (code) => resolve(code)))
    await waitFor(() => journalText(dir).includes('"type":"started","address":"local/alaska-air/2026-01-01/job"'), {
      what: () => `the first job's start in the journal; bf wrote:\n${output}`,
      timeoutMs: 120_000,
      intervalMs: 5,
    })
    // Frozen mid-apply, holding the lock: what others see is what they would see while it runs.
    running.kill('SIGSTOP')
    writeFileSync(join(dir, 'plan.yaml'), plan(WITHOUT_GLOBEX))
    try {
      const second = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
      expect(second.status).toBe(1)
      expect(second.stderr).toMatch(/^Error: state is locked by .*\(pid \d+, apply, since .*\); wait for it to finish, or pass --lock-timeout \(e\.g\. 10m\) to wait for it$/m)
      expect(hasStackTrace(second.stderr)).toBe(false)
    } finally {
      running.kill('SIGCONT')
    }
    expect(await exited, output).toBe(0)
    // 1 check, 3 deletes and their awaits, 12 jobs and 12 verifies: globex included.
    expect(output).toContain('Apply complete: 31 succeeded, 0 failed, 0 skipped.')
    expect(relabelledRows(dir, 'globex')).toBe(4 * 15)
    // Every job started once: the refused apply ran nothing. The apply's compaction moved its journal aside.
    const history = readFileSync(join(dir, '.bf', 'state', 'changed', 'journal.jsonl.bak'), 'utf8')
    expect(history.match(/"type":"started","address":"[^"]*\/job"/g)).toHaveLength(12)

    const applied = warehouseDigest(join(dir, 'data'))
    const stale = bf(['apply', 'before.plan'], { cwd: dir })
    expect(stale.status).toBe(1)
    expect(stale.stderr).toMatch(/^Error: Saved plan is stale: plan\.yaml changed since the plan was saved; the state moved on \(serial 0 → \d+\)\. Run bf plan again\.$/m)

    const next = bf(['plan', 'plan.yaml', '--detailed-exitcode'], { cwd: dir })
    expect(next.status, next.stderr).toBe(2)
    expect(next.stdout).toContain('- globex 2026-01-01 … 2026-01-04 (4 days)')
    expect(next.stdout).toContain('Plan: 0 to backfill, 0 to re-run, 8 unchanged, 4 to forget')
    expect(next.stdout + next.stderr).not.toContain('forget-deleted-rows')
    expect(bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir }).status).toBe(0)
    expect(warehouseDigest(join(dir, 'data'))).toBe(applied)
    expect(bf(['state', 'list', 'plan.yaml'], { cwd: dir }).stdout).not.toContain('globex')
    expect(bf(['plan', 'plan.yaml', '--detailed-exitcode'], { cwd: dir }).status).toBe(0)
  })
})

// globex's job fails every time, so its window is deleted and never refilled.
const FAILING_FOR_GLOBEX = "\n      AND throwIf(customer_id = 'globex', 'labeller unavailable for globex') = 0"

/** A workspace where globex's rows were deleted (per customer or per cluster) and its jobs failed; then globex is removed from the plan file. */
function globexDeletedThenRemoved(deletePer: 'customer' | 'cluster'): string {
  const dir = quickstartWorkspace(dirs, plan(ALL, FAILING_FOR_GLOBEX, deletePer), SIZE)
  const first = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
  expect(first.status).toBe(1)
  expect(first.stdout).toContain('labeller unavailable for globex')
  expect(relabelledRows(dir, 'globex')).toBe(0)
  writeFileSync(join(dir, 'plan.yaml'), plan(WITHOUT_GLOBEX, FAILING_FOR_GLOBEX, deletePer))
  return dir
}

/** `bf plan` forgets globex and warns, naming `deleteAddress`, that its rows stay deleted; its whole output. */
function planForgettingGlobex(dir: string, deleteAddress: string): string {
  const next = bf(['plan', 'plan.yaml'], { cwd: dir })
  expect(next.status, next.stderr).toBe(0)
  const output = next.stdout + next.stderr
  expect(output).toContain('- globex 2026-01-01 … 2026-01-04 (4 days)')
  expect(output).toContain(
    `Warning: [forget-deleted-rows] ${deleteAddress}: deleted the rows of globex from 2026-01-01T00:00:00Z to 2026-01-05T00:00:00Z, ` +
      'and 4 of 4 unit(s) never had their job succeed (2026-01-01 …): forgetting them leaves those rows deleted ' +
      '(to finish instead, put globex back in the plan file and apply)',
  )
  return output
}

describe('a customer removed after its delete ran but not its jobs', () => {
  it('is forgotten with a warning that its rows stay deleted, and forgetting writes nothing', { timeout: 120_000 }, () => {
    const dir = globexDeletedThenRemoved('customer')
    const before = warehouseDigest(join(dir, 'data'))
    planForgettingGlobex(dir, 'local/globex/delete')
    const forget = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
    expect(forget.status, forget.stdout + forget.stderr).toBe(0)
    expect(forget.stdout + forget.stderr).toContain('[forget-deleted-rows]')
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })
})

describe('a customer removed after a delete of its cluster ran but not its jobs', () => {
  it("is forgotten with a warning naming its cluster's delete", { timeout: 120_000 }, () => {
    const output = planForgettingGlobex(globexDeletedThenRemoved('cluster'), 'local/delete')
    // acme's units all succeeded: nothing is said of it.
    expect(output).not.toMatch(/forget-deleted-rows\] [^\n]*the rows of acme/)
  })
})
