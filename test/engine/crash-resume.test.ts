import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bf, bfProcess, chdbQuery, ensureBuilt, seedQuickstart } from '../support/cli.js'

// A plain MergeTree keeps every inserted row: a job that ran to completion twice would
// leave each of its rows twice. Deduplication by token is what makes a resumed attempt safe.
const PLAIN_TARGET = [
  `CREATE TABLE labels_plain (conversation_id String, customer_id String, profile_id String, agent_user_id String,
     conversation_end_time DateTime, label String, labeled_at DateTime)
   ENGINE = MergeTree ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)
   SETTINGS non_replicated_deduplication_window = 1000`,
  'INSERT INTO labels_plain SELECT * FROM conversation_with_labels',
]

const PLAN = `version: 1
name: crash
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-05T00:00:00Z, batch: 1d }
target: { table: labels_plain, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer }
job:
  kind: sql
  sql: |
    INSERT INTO labels_plain
    SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'relabelled', toDateTime('2026-06-01 00:00:00')
    FROM conversation_d
    WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}
  concurrency: 2
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
rollout: { canary: [alaska-air] }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [alaska-air, acme]
`

const CONTENT = 'SELECT customer_id, conversation_id, agent_user_id, toString(conversation_end_time) AS t, label FROM labels_plain ORDER BY ALL'
const DUPLICATES = 'SELECT count() - uniqExact(customer_id, conversation_id) AS d FROM labels_plain'

const dirs: string[] = []

/** The seeded data and the plan, made once and never changed: each workspace is a copy. */
let seeded: string | undefined

function workspace(): { dir: string; data: string; plan: string } {
  if (seeded === undefined) {
    seeded = mkdtempSync(join(tmpdir(), 'bf-crash-seeded-'))
    dirs.push(seeded)
    seedQuickstart(join(seeded, 'data'), { customers: 2, days: 4, conversationsPerDay: 60 })
    chdbQuery(join(seeded, 'data'), PLAIN_TARGET)
    writeFileSync(join(seeded, 'plan.yaml'), PLAN)
  }
  const dir = mkdtempSync(join(tmpdir(), 'bf-crash-'))
  dirs.push(dir)
  // The engine's data folder links tables to their storage with relative links: keep them as they are.
  cpSync(seeded, dir, { recursive: true, verbatimSymlinks: true })
  return { dir, data: join(dir, 'data'), plan: join(dir, 'plan.yaml') }
}

function startedKinds(journal: string): string[] {
  let text = ''
  try {
    text = readFileSync(journal, 'utf8')
  } catch {
    return []
  }
  const kinds: string[] = []
  for (const line of text.split('\n')) {
    if (!line.endsWith('}')) continue
    const { event } = JSON.parse(line) as { event?: { type?: string; kind?: string } }
    if (event?.type === 'started' && event.kind) kinds.push(event.kind)
  }
  return kinds
}

/** Starts an apply and SIGKILLs it as soon as a step of `kind` has started; `output` says how it went. */
async function applyKilledAt(ws: { dir: string; plan: string }, kind: string): Promise<{ killed: boolean; output: string }> {
  const journal = join(ws.dir, '.bf', 'state', 'crash', 'journal.jsonl')
  const child = bfProcess(['apply', ws.plan, '--auto-approve', '--no-color'])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      output += `\n[exit code ${code}, signal ${signal}]`
      resolve()
    }),
  )
  let killed = false
  for (;;) {
    if (child.exitCode !== null) break
    if (startedKinds(journal).includes(kind)) {
      child.kill('SIGKILL')
      killed = true
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  await exited
  return { killed, output }
}

let reference: unknown[]

beforeAll(() => {
  ensureBuilt()
  const ws = workspace()
  const run = bf(['apply', ws.plan, '--auto-approve', '--no-color'])
  expect(run.status, run.stderr).toBe(0)
  reference = chdbQuery(ws.data, [CONTENT])[0] ?? []
  expect(reference.length).toBe(2 * 4 * 60)
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('an apply killed at any kind of step resumes to the same result', () => {
  for (const kind of ['check', 'delete', 'await-mutation', 'job', 'verify']) {
    it(`SIGKILL once a ${kind} step has started`, async () => {
      const ws = workspace()
      const { killed, output } = await applyKilledAt(ws, kind)
      expect(killed, output).toBe(true)
      let resumed = bf(['apply', ws.plan, '--auto-approve', '--no-color'])
      expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0)
      const [content, duplicates] = chdbQuery<{ d?: string }>(ws.data, [CONTENT, DUPLICATES])
      expect(content).toEqual(reference)
      expect(Number(duplicates?.[0]?.d)).toBe(0)
      resumed = bf(['plan', ws.plan, '--no-color', '--detailed-exitcode'])
      expect(resumed.stdout).toContain('No changes.')
      expect(resumed.status).toBe(0)
      expect(bf(['state', 'list', ws.plan]).status).toBe(0)
    })
  }
})
