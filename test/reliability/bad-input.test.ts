import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReplicasServer } from '../support/clickhouse-replicas-server.js'
import type { CliResult } from '../support/cli.js'
import { bf, chdbQuery, ensureBuilt } from '../support/cli.js'
import { bfAsync, hasStackTrace, quickstartWorkspace, TempDirs, warehouseDigest } from './workspace.js'

const PLAN = `version: 1
name: bad-input
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer }
job:
  kind: sql
  sql: |
    INSERT INTO conversation_with_labels
    SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'relabelled', toDateTime('2026-06-01 00:00:00')
    FROM conversation_d WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [alaska-air, acme]
`

// Tables like the target, each with one column of a type bf cannot bound or match.
const WRONG_TYPES = [
  `CREATE TABLE labels_text_time (conversation_id String, customer_id String, profile_id String, agent_user_id String,
     conversation_end_time String, label String, labeled_at DateTime) ENGINE = MergeTree ORDER BY conversation_id`,
  `INSERT INTO labels_text_time SELECT conversation_id, customer_id, profile_id, agent_user_id, toString(conversation_end_time), label, labeled_at
     FROM conversation_with_labels`,
  `CREATE TABLE labels_numeric_customer (conversation_id String, customer_id UInt64, profile_id String, agent_user_id String,
     conversation_end_time DateTime, label String, labeled_at DateTime) ENGINE = MergeTree ORDER BY conversation_id`,
  `INSERT INTO labels_numeric_customer SELECT conversation_id, cityHash64(customer_id), profile_id, agent_user_id, conversation_end_time, label, labeled_at
     FROM conversation_with_labels`,
]

const dirs = new TempDirs()
/** Data, plan and a state in which alaska-air is applied and acme is still to do. */
let base: string

beforeAll(() => {
  ensureBuilt()
  base = quickstartWorkspace(dirs, PLAN)
  chdbQuery(join(base, 'data'), WRONG_TYPES)
  const first = bf(['apply', 'plan.yaml', '--auto-approve', '--target', 'local/alaska-air'], { cwd: base })
  expect(first.status, first.stdout + first.stderr).toBe(0)
}, 120_000)
afterAll(() => dirs.removeAll())

const stateDir = (dir: string): string => join(dir, '.bf', 'state', 'bad-input')

/** A copy of the base workspace with `edit` applied to its plan file. */
function copyWithPlan(edit: (plan: string) => string = (plan) => plan): string {
  const dir = dirs.copy(base, 'bf-bad-input-')
  writeFileSync(join(dir, 'plan.yaml'), edit(PLAN))
  return dir
}

/** Exit 1, the message on stderr, no stack trace. */
function expectRefused(run: CliResult, message: string | RegExp): void {
  expect(run.status, run.stdout + run.stderr).toBe(1)
  expect(run.stderr).toMatch(message)
  expect(hasStackTrace(run.stdout + run.stderr)).toBe(false)
}

/** The one `Error: …` line of a run refused before anything ran. */
function errorLine(run: CliResult): string {
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('Error: '))
  expect(lines).toHaveLength(1)
  return lines[0] ?? ''
}

describe('bad state files', { timeout: 120_000 }, () => {
  it('a snapshot hand-edited into invalid JSON stops plan and apply with how to restore it, and the remedy works', () => {
    const dir = copyWithPlan()
    const snapshot = join(stateDir(dir), 'snapshot.json')
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').replace('"steps":[', '"steps":[,'))
    const before = warehouseDigest(join(dir, 'data'))
    for (const args of [['plan', 'plan.yaml'], ['apply', 'plan.yaml', '--auto-approve']]) {
      const run = bf(args, { cwd: dir })
      expectRefused(run, /snapshot\.json is damaged \(not valid JSON: .*\); restore the previous one with: cp \S+snapshot\.json\.bak \S+snapshot\.json/)
      errorLine(run)
    }
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)

    writeFileSync(snapshot, readFileSync(`${snapshot}.bak`))
    const plan = bf(['plan', 'plan.yaml', '--json'], { cwd: dir })
    expect(plan.status, plan.stderr).toBe(0)
    const units = (JSON.parse(plan.stdout) as { units: { address: string; action: string }[] }).units
    expect(units.filter((unit) => unit.action === 'no-op').map((unit) => unit.address)).toEqual(['local/alaska-air/2026-01-01', 'local/alaska-air/2026-01-02'])
  })

  it('a journal or snapshot written by a newer bf asks for an upgrade', () => {
    const dir = copyWithPlan()
    const before = warehouseDigest(join(dir, 'data'))
    const journal = join(stateDir(dir), 'journal.jsonl')
    const serial = (JSON.parse(readFileSync(join(stateDir(dir), 'snapshot.json'), 'utf8')) as { serial: number }).serial
    const event = { type: 'started', address: 'local/check', kind: 'check', attempt: 2, fingerprint: 'f', at: '2027-01-01T00:00:00Z', resources: ['new'] }
    writeFileSync(journal, `${JSON.stringify({ formatVersion: 2, serial: serial + 1, event })}\n`)
    for (const args of [['plan', 'plan.yaml'], ['apply', 'plan.yaml', '--auto-approve'], ['state', 'list', 'plan.yaml']]) {
      const run = bf(args, { cwd: dir })
      expectRefused(run, /journal\.jsonl:1: state written by a newer bf \(format 2\); upgrade bf/)
    }

    writeFileSync(journal, '')
    const snapshot = join(stateDir(dir), 'snapshot.json')
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').replace('"formatVersion":1', '"formatVersion":2'))
    expectRefused(bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir }), /snapshot\.json: state written by a newer bf \(format 2\); upgrade bf/)
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })
})

describe('saved plans', { timeout: 120_000 }, () => {
  it('a saved plan applied to another plan file is stale', () => {
    const saver = copyWithPlan()
    expect(bf(['plan', 'plan.yaml', '-o', 'saved.plan'], { cwd: saver }).status).toBe(0)
    // Another checkout: the same path holds a different plan file.
    const other = copyWithPlan((plan) => plan.replace('customers: [alaska-air, acme]', 'customers: [acme]'))
    const before = warehouseDigest(join(other, 'data'))
    const run = bf(['apply', join(saver, 'saved.plan')], { cwd: other })
    expectRefused(run, 'Saved plan is stale: plan.yaml changed since the plan was saved. Run bf plan again.')
    expect(warehouseDigest(join(other, 'data'))).toBe(before)
  })

  it('a saved plan edited to name another plan file fails its checksum', () => {
    const dir = copyWithPlan()
    expect(bf(['plan', 'plan.yaml', '-o', 'saved.plan'], { cwd: dir }).status).toBe(0)
    writeFileSync(join(dir, 'other.yaml'), PLAN.replace('name: bad-input', 'name: other'))
    const saved = join(dir, 'saved.plan')
    writeFileSync(saved, readFileSync(saved, 'utf8').replace('"file":"plan.yaml"', '"file":"other.yaml"'))
    const before = warehouseDigest(join(dir, 'data'))
    expectRefused(bf(['apply', 'saved.plan'], { cwd: dir }), 'saved.plan was changed after bf plan saved it (checksum mismatch)')
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })
})

describe('what the clusters say', { timeout: 120_000 }, () => {
  it('a kubeconfig without the plan\'s context fails the check, before any delete', () => {
    const dir = copyWithPlan((plan) =>
      plan
        .replace(/job:\n {2}kind: sql\n {2}sql: \|\n(?: {4}.*\n)+/, 'job:\n  kind: kubernetes\n  kubernetes: { cronJob: cron-label-conversations, namespace: cresta-cron }\n  env: { CUSTOMER: "{{ customer }}" }\n')
        .replace('clickhouse: { embedded: ./data }', 'clickhouse: { embedded: ./data }\n    kubernetes: { context: us-east-1-prod_dev, kubeconfig: ./kubeconfig.yaml }'),
    )
    writeFileSync(
      join(dir, 'kubeconfig.yaml'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: staging, cluster: { server: "https://127.0.0.1:9" } }]',
        'users: [{ name: staging, user: { token: t } }]',
        'contexts: [{ name: staging, context: { cluster: staging, user: staging } }]',
        'current-context: staging',
        '',
      ].join('\n'),
    )
    const before = warehouseDigest(join(dir, 'data'))
    const run = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
    expect(run.status, run.stdout + run.stderr).toBe(1)
    expect(run.stdout).toContain('✗ local/check failed: kubeconfig has no context "us-east-1-prod_dev" (contexts: staging)')
    expect(run.stdout).toMatch(/Apply failed: 0 succeeded, 1 failed, \d+ skipped/)
    expect(hasStackTrace(run.stdout + run.stderr)).toBe(false)
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })

  it('a wrong ClickHouse password stops at the first query, naming the cluster, without the password', async () => {
    const server = await startReplicasServer({ cluster: 'conversations', replicas: ['ch-1'], mutations: [], credentials: { username: 'backfill', password: 'the-right-one' } })
    try {
      const dir = copyWithPlan((plan) => plan.replace('local:\n    clickhouse: { embedded: ./data }', `us-east-1-prod:\n    clickhouse: { url: "${server.url}", username: backfill, password: "\${env:BF_TEST_CH_PASSWORD}" }`))
      const run = await bfAsync(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir, env: { BF_TEST_CH_PASSWORD: 'a-wrong-one' } })
      expectRefused(run, /cluster us-east-1-prod \(127\.0\.0\.1:\d+\): ClickHouse error 516 AUTHENTICATION_FAILED: .*\(check clickhouse\.username and clickhouse\.password\)/)
      errorLine(run)
      expect(run.stdout + run.stderr).not.toContain('a-wrong-one')
      expect(server.requests.length).toBeGreaterThan(0)
      expect(server.requests.filter((request) => /^\s*(ALTER|DELETE|INSERT|CREATE|DROP|TRUNCATE)\b/i.test(request.sql))).toEqual([])
    } finally {
      await server.close()
    }
  })

  it('a target table that does not exist is refused before anything runs', () => {
    const dir = copyWithPlan((plan) => plan.replace('target: { table: conversation_with_labels,', 'target: { table: conversation_with_labels_v2,'))
    const before = warehouseDigest(join(dir, 'data'))
    const run = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
    expectRefused(run, 'bf refuses to apply: table default.conversation_with_labels_v2 does not exist on local')
    errorLine(run)
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })

  it('a read table that does not exist fails the check, before any delete', () => {
    const dir = copyWithPlan((plan) => plan.replace('target: { table: conversation_with_labels,', 'target: { table: conversation_with_labels, readTable: conversation_with_labels_d,'))
    const before = warehouseDigest(join(dir, 'data'))
    const run = bf(['apply', 'plan.yaml', '--auto-approve'], { cwd: dir })
    expect(run.status, run.stdout + run.stderr).toBe(1)
    expect(run.stdout).toContain('✗ local/check failed: read table default.conversation_with_labels_d does not exist')
    expect(hasStackTrace(run.stdout + run.stderr)).toBe(false)
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })

  it.each([
    ['a time column that is text', 'labels_text_time', /cluster local \(embedded .*\): default\.labels_text_time\.conversation_end_time is String, not a Date or DateTime: target\.timeColumn must be one/],
    ['a customer column that is a number', 'labels_numeric_customer', /cluster local \(embedded .*\): default\.labels_numeric_customer\.customer_id is UInt64, not a String: target\.customerColumn must hold the customer ids as text/],
  ])('%s is named, with the column and its type, before anything runs', (_what, table, message) => {
    const dir = copyWithPlan((plan) => plan.replace('target: { table: conversation_with_labels,', `target: { table: ${table},`).replace('INSERT INTO conversation_with_labels', `INSERT INTO ${table}`))
    const before = warehouseDigest(join(dir, 'data'))
    for (const args of [['plan', 'plan.yaml'], ['apply', 'plan.yaml', '--auto-approve']]) {
      const run = bf(args, { cwd: dir })
      expectRefused(run, message)
      errorLine(run)
    }
    expect(warehouseDigest(join(dir, 'data'))).toBe(before)
  })
})
