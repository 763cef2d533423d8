import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReplicasServer } from '../support/clickhouse-replicas-server.js'
import type { ReplicasServer } from '../support/clickhouse-replicas-server.js'
import type { CliResult } from '../support/cli.js'
import { bf, ensureBuilt } from '../support/cli.js'
import { bfAsync, filesUnder, quickstartWorkspace, TempDirs } from './workspace.js'

const API_TOKEN = 'tok-3f9a1c7e5b2d-do-not-print'
const CH_PASSWORD = 'pw-6c2e9a4f1b7d-do-not-print'
const SECRETS = [API_TOKEN, CH_PASSWORD, encodeURIComponent(CH_PASSWORD)]
const ENV = { BF_TEST_API_TOKEN: API_TOKEN, BF_TEST_CH_PASSWORD: CH_PASSWORD }

// The job proves the token reached it without ever printing it; acme's run fails, so error paths are covered too.
const JOB_SCRIPT = `import { createHash } from 'node:crypto'
const accepted = createHash('sha256').update(process.env.API_TOKEN ?? '').digest('hex') === ${JSON.stringify(createHash('sha256').update(API_TOKEN).digest('hex'))}
console.log('labelling ' + process.env.CUSTOMER + ': token ' + (accepted ? 'accepted' : 'rejected'))
if (process.env.CUSTOMER === 'acme') { console.error('upstream refused the request'); process.exit(4) }
process.exit(accepted ? 0 : 3)
`

const commandPlan = `version: 1
name: secrets
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer }
job:
  kind: command
  command: [${JSON.stringify(process.execPath)}, label.mjs]
  env:
    API_TOKEN: "\${env:BF_TEST_API_TOKEN}"
    CUSTOMER: "{{ customer }}"
verify: { duplicates: true }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [alaska-air, acme]
`

const httpPlan = (clickhouse: string) => `version: 1
name: secrets-http
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-03T00:00:00Z, batch: 1d }
target: { table: conversation_with_labels, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { per: customer }
job:
  kind: sql
  sql: "INSERT INTO conversation_with_labels SELECT * FROM conversation_with_labels WHERE customer_id = {customer:String} AND conversation_end_time >= {start:DateTime} AND conversation_end_time < {end:DateTime}"
verify: { duplicates: true }
clusters:
  us-east-1-prod:
    clickhouse: ${clickhouse}
    customers: [alaska-air, acme]
`

const dirs = new TempDirs()
beforeAll(() => ensureBuilt())
afterAll(() => dirs.removeAll())

/** Every secret absent from `text`, with where it was found in the failure message. */
function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds a secret:\n${text}`).toBe(false)
}

function expectNoSecretIn(runs: Record<string, CliResult>): void {
  for (const [name, run] of Object.entries(runs)) {
    expectNoSecret(run.stdout, `stdout of bf ${name}`)
    expectNoSecret(run.stderr, `stderr of bf ${name}`)
  }
}

describe('secrets from ${env:…} stay out of everything bf writes', { timeout: 120_000 }, () => {
  it('a command job gets its token; no output, saved plan, state, journal or log holds it', () => {
    const dir = quickstartWorkspace(dirs, commandPlan)
    writeFileSync(join(dir, 'label.mjs'), JOB_SCRIPT)
    const run = (...args: string[]): CliResult => bf(args, { cwd: dir, env: ENV })
    const runs: Record<string, CliResult> = {
      validate: run('validate', 'plan.yaml'),
      plan: run('plan', 'plan.yaml', '--show-sql'),
      'plan --json': run('plan', 'plan.yaml', '--json', '--show-sql'),
      'plan --markdown': run('plan', 'plan.yaml', '--markdown', '--show-sql'),
      'plan -o': run('plan', 'plan.yaml', '-o', 'saved.plan'),
      'apply saved': run('apply', 'saved.plan'),
      'apply --json': run('apply', 'plan.yaml', '--auto-approve', '--json', '--show-sql'),
      'apply (human)': run('apply', 'plan.yaml', '--auto-approve', '--show-sql'),
      'state list': run('state', 'list', 'plan.yaml'),
      'state show': run('state', 'show', 'plan.yaml', 'local/alaska-air/2026-01-01/job'),
      verify: run('verify', 'plan.yaml'),
      graph: run('graph', 'plan.yaml'),
    }
    expect(runs.validate?.stdout).toContain('BF_TEST_API_TOKEN')
    expect(runs['apply saved']?.status).toBe(1)
    expect(runs['apply (human)']?.stdout).toContain('upstream refused the request')
    expectNoSecretIn(runs)

    const files = [...filesUnder(join(dir, '.bf')), { path: 'saved.plan', text: readFileSync(join(dir, 'saved.plan'), 'utf8') }]
    const names = files.map((file) => file.path)
    expect(names.some((name) => name.endsWith('snapshot.json'))).toBe(true)
    expect(names.some((name) => /journal\.jsonl(\.bak)?$/.test(name))).toBe(true)
    const logs = files.filter((file) => file.path.endsWith('.log'))
    expect(logs.length).toBeGreaterThan(0)
    for (const file of files) expectNoSecret(file.text, file.path)
    // The token did reach the job, and the plan kept the reference, not its value.
    expect(logs.map((file) => file.text).join('\n')).toContain('labelling alaska-air: token accepted')
    expect(files.find((file) => file.path === 'saved.plan')?.text).toContain('${env:BF_TEST_API_TOKEN}')
  })

  describe('over HTTP, with a server whose errors echo the URL and the password', () => {
    let server: ReplicasServer
    let closedUrl: string
    beforeAll(async () => {
      server = await startReplicasServer({ cluster: 'conversations', replicas: ['ch-1'], mutations: [], credentials: { username: 'backfill', password: CH_PASSWORD } })
      const echo = `http://backfill:${CH_PASSWORD}@127.0.0.1:${server.port}/?database=default`
      server.scenario = {
        ...server.scenario,
        failWith: { code: 497, type: 'ACCESS_DENIED', message: `backfill: Not enough privileges (connected through ${echo} with password ${CH_PASSWORD})` },
      }
      const closed = await startReplicasServer({ cluster: 'conversations', replicas: [], mutations: [] })
      closedUrl = closed.url
      await closed.close()
    })
    afterAll(async () => {
      await server.close()
    })

    const everyCommand = ['plan', 'plan --json', 'plan --markdown', 'apply', 'apply --json', 'verify']
    // Connection refused is retried with backoff before bf gives up: two commands show it.
    it.each([
      ['the password key', () => `{ url: "${server.url}", username: backfill, password: "\${env:BF_TEST_CH_PASSWORD}" }`, everyCommand, /Not enough privileges \(connected through http:\/\/127\.0\.0\.1:\d+\/\?database=default with password \*\*\*\)/],
      ['credentials in the URL', () => `{ url: "http://backfill:\${env:BF_TEST_CH_PASSWORD}@127.0.0.1:${server.port}" }`, everyCommand, /Not enough privileges .* with password \*\*\*/],
      ['credentials in the URL of a server that is down', () => `{ url: "${closedUrl.replace('http://', 'http://backfill:${env:BF_TEST_CH_PASSWORD}@')}" }`, ['plan', 'apply'], /connection refused/],
    ])('%s: messages name the cluster and never the password', async (_how, clickhouse, commands, message) => {
      const dir = dirs.make('bf-secrets-http-')
      writeFileSync(join(dir, 'plan.yaml'), httpPlan(clickhouse()))
      const args: Record<string, string[]> = {
        plan: ['plan', 'plan.yaml'],
        'plan --json': ['plan', 'plan.yaml', '--json'],
        'plan --markdown': ['plan', 'plan.yaml', '--markdown'],
        apply: ['apply', 'plan.yaml', '--auto-approve'],
        'apply --json': ['apply', 'plan.yaml', '--auto-approve', '--json'],
        verify: ['verify', 'plan.yaml'],
      }
      const runs: Record<string, CliResult> = {}
      for (const name of commands) {
        const run = await bfAsync(args[name] ?? [], { cwd: dir, env: ENV })
        expect(run.status, name).toBe(1)
        // With --json the error is the last line of stdout, as JSON; otherwise it is on stderr.
        const said = name.endsWith('--json') ? ((JSON.parse(run.stdout.trimEnd().split('\n').at(-1) ?? '{}') as { error?: { message?: string } }).error?.message ?? '') : run.stderr
        expect(said, name).toMatch(/cluster us-east-1-prod \(127\.0\.0\.1:\d+\)/)
        expect(said, name).toMatch(message)
        runs[name] = run
      }
      runs['plan --refresh=false -o'] = await bfAsync(['plan', 'plan.yaml', '--refresh=false', '--show-sql', '-o', 'saved.plan'], { cwd: dir, env: ENV })
      expect(runs['plan --refresh=false -o']?.status).toBe(0)
      expectNoSecretIn(runs)
      for (const file of [...filesUnder(join(dir, '.bf')), { path: 'saved.plan', text: readFileSync(join(dir, 'saved.plan'), 'utf8') }]) {
        expectNoSecret(file.text, file.path)
      }
    })
  })
})
