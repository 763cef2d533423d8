import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { loadPlan, loadPlanText } from '../../src/plan/load.js'

const VALID = 'test/fixtures/valid'
const scratch = mkdtempSync(join(tmpdir(), 'bf-plan-load-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`)
  return error
}

const MINIMAL = `version: 1
name: minimal
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z, batch: 1d }
target: { table: t, timeColumn: ts, customerColumn: c, keyColumns: [id] }
delete: {}
job: { kind: command, command: [./run.sh] }
clusters:
  local: { clickhouse: { embedded: ./data }, customers: [acme] }
`

describe('loadPlan', () => {
  it('fills every default of a minimal plan', () => {
    const { spec, warnings } = loadPlanText(MINIMAL, 'plans/minimal.yaml')
    expect(warnings).toEqual([])
    expect(spec.description).toBe('')
    expect(spec.target).toEqual({ database: 'default', table: 't', readTable: 't', timeColumn: 'ts', customerColumn: 'c', keyColumns: ['id'] })
    expect(spec.expected).toBeUndefined()
    expect(spec.delete).toEqual({ mode: 'mutation', per: 'customer', maxCustomers: 1000, settings: {}, timeoutMs: 6 * 3_600_000 })
    expect(spec.job).toEqual({ kind: 'command', command: ['./run.sh'], env: {}, retries: 0, concurrency: 1 })
    expect(spec.verify).toEqual({ duplicates: true, requireData: false, checks: [] })
    expect(spec.rollout).toEqual({ canary: [], order: 'forward' })
    expect(spec.guards).toEqual({})
    expect(spec.statePath).toBe(resolve('plans/.bf/state/minimal'))
    expect(spec.clusters[0]?.clickhouse).toEqual({ embedded: resolve('plans/data'), settings: {} })
    expect(spec.envRefs).toEqual([])
  })

  it('reads an SQL plan: delete false, windows per cluster and customer, relative paths', async () => {
    const { spec, warnings } = await loadPlan(`${VALID}/sql-job.yaml`)
    expect(warnings).toEqual([])
    expect(spec.delete).toBe(false)
    expect(spec.batch).toEqual({ origin: Date.UTC(2026, 2, 1), stepMs: 6 * 3_600_000, text: '6h' })
    expect(spec.expected?.database).toBe('analytics')
    expect(spec.job.sql).toMatch(/^INSERT INTO analytics\.events_local/)
    expect(spec.verify.checks.map((check) => check.expect)).toEqual([{ min: 1 }, { between: [0, 10] }])
    expect(spec.statePath).toBe(resolve(VALID, '../state/sql'))
    const [local] = spec.clusters
    expect(local?.clickhouse).toEqual({ embedded: resolve(VALID, 'data'), settings: { max_threads: 2 } })
    expect(local?.customers).toEqual([
      { id: 'acme', window: { start: Date.UTC(2026, 2, 1, 9, 30), end: Date.UTC(2026, 2, 3) } },
      { id: 'globex', window: { start: Date.UTC(2026, 2, 1, 9, 30), end: Date.UTC(2026, 2, 1, 14) } },
    ])
  })

  it('keeps what the user wrote: env text, cluster order, strings under a %YAML 1.1 directive', async () => {
    const { spec } = await loadPlan(`${VALID}/command-job.yaml`)
    expect(spec.window.start).toBe(Date.UTC(2026, 0, 1))
    expect(spec.job.env).toEqual({
      CUSTOMER: '{{customer}}',
      RANGE: '{{ batch.start }}..{{ batch.end }} on {{ batch.date }} for {{ plan.name }} in {{ cluster }}',
      RATIO: '1.10',
      ENABLED: 'TRUE',
      ANSWER: 'yes',
      TOKEN: '${env:API_TOKEN}',
    })
    expect(spec.clusters.map((cluster) => cluster.name)).toEqual(['10', '2'])
    expect(spec.clusters[1]?.customers.map((customer) => customer.id)).toEqual(['acme', 'weird/id%'])
    expect(spec.envRefs).toEqual(['API_TOKEN', 'CH_PASSWORD', 'CH_USER'])
    expect(spec.job.timeoutMs).toBe(30 * 60_000)
  })

  it('reads Kubernetes settings and expands ~ in a kubeconfig path', async () => {
    const { spec } = await loadPlan(`${VALID}/kubernetes-two-clusters.yaml`)
    expect(spec.job.kubernetes).toEqual({ cronJob: 'cron-label-conversations', namespace: 'cresta-cron', container: 'main', ownerReference: false, ttlSecondsAfterFinished: 3600, onTemplateChange: 'keep' })
    expect(spec.delete).toEqual({ mode: 'lightweight', per: 'batch', maxCustomers: 1000, settings: {}, timeoutMs: 90 * 60_000 })
    expect(spec.guards).toEqual({ maxPendingMutations: 0 })
    expect(spec.clusters.map((cluster) => cluster.kubernetes)).toEqual([
      { context: 'us-east-1-prod_dev', kubeconfig: join(homedir(), '.kube/prod') },
      { context: 'eu-west-1-prod_dev', kubeconfig: resolve(VALID, 'kube/eu.yaml') },
    ])
  })

  it('returns warnings for what is legal but probably wrong', () => {
    const command = loadPlanText(MINIMAL.replace('command: [./run.sh]', 'command: [./run.sh, "{{ customer }}"]'), 'plan.yaml')
    expect(command.warnings.map((w) => [w.code, w.message])).toEqual([['placeholder-in-command', 'job.command[1] holds a {{ … }} placeholder, which bf does not fill in']])
    const text = MINIMAL.replace('job: { kind: command, command: [./run.sh] }', 'job:\n  kind: sql\n  sql: INSERT INTO t SELECT * FROM s WHERE c = {customer:String}\n  env: { X: "1" }').replace(
      'clusters:',
      'verify: { ratio: { min: 0.9 } }\nclusters:',
    )
    const { warnings } = loadPlanText(text, 'plan.yaml')
    expect(warnings.map((w) => [w.code, w.severity, w.position?.line])).toEqual([
      ['sql-unbounded', 'warning', 8],
      ['unused-env', 'warning', 9],
      ['ratio-without-expected', 'warning', 10],
    ])
    expect(warnings[0]?.message).toBe('job.sql does not use {start:DateTime}, {end:DateTime}, so every unit it runs for inserts the same rows')
  })

  it('gives each error a code, file, position and hint', async () => {
    const error = await refusal(Promise.resolve().then(() => loadPlanText(MINIMAL.replace('target: { table', 'target: { tabel'), 'plans/x.yaml')))
    expect(error.diagnostics).toEqual([
      { severity: 'error', code: 'unknown-key', message: 'unknown key "tabel" in target', hint: 'did you mean "table"?', file: 'plans/x.yaml', position: { line: 4, col: 11 } },
    ])
    expect(error.message).toBe('plans/x.yaml:4:11: unknown key "tabel" in target (did you mean "table"?)')
    const missing = await refusal(Promise.resolve().then(() => loadPlanText(MINIMAL.replace('target: { table: t, ', 'target: { '), 'plans/x.yaml')))
    expect(missing.diagnostics).toEqual([
      { severity: 'error', code: 'missing-key', message: 'missing key "table" in target', hint: 'local table: deletes run on it', file: 'plans/x.yaml', position: { line: 4, col: 1 } },
    ])
  })

  it('never prints a URL that failed its check, since it may carry a password', () => {
    const text = MINIMAL.replace('{ embedded: ./data }', '{ url: "clickhouse://admin:s3cret@host:9000" }')
    expect(() => loadPlanText(text, 'p.yaml')).toThrow(/clickhouse\.url is not a valid http/)
    expect(() => loadPlanText(text, 'p.yaml')).not.toThrow(/s3cret/)
  })

  it('refuses a 50 MB file before parsing it, at once', async () => {
    const big = join(scratch, 'big.yaml')
    writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 'a'))
    const started = performance.now()
    const error = await refusal(loadPlan(big))
    expect(performance.now() - started).toBeLessThan(500)
    expect(error.message).toBe(`${big}: the plan file is 50 MB, larger than the 5.0 MB bf reads (a plan lists clusters and customers, not data; is this the right file?)`)
    expect(error.diagnostics[0]?.code).toBe('file-too-large')
  })

  it('takes a smaller size limit', async () => {
    const file = join(scratch, 'limit.yaml')
    writeFileSync(file, MINIMAL)
    await expect(loadPlan(file, { maxBytes: 100 })).rejects.toThrow(/larger than the 0\.0 MB bf reads/)
    await expect(loadPlan(file, { maxBytes: MINIMAL.length })).resolves.toBeDefined()
  })

  it('says plainly when the file cannot be read', async () => {
    await expect(loadPlan(join(scratch, 'missing.yaml'))).rejects.toThrow(`${join(scratch, 'missing.yaml')}: cannot read the plan file: no such file`)
    await expect(loadPlan(scratch)).rejects.toThrow(`${scratch}: the plan is not a file`)
    const binary = join(scratch, 'binary.yaml')
    writeFileSync(binary, Buffer.from([0x76, 0xff, 0xfe, 0x00]))
    await expect(loadPlan(binary)).rejects.toThrow(`${binary}: the plan file is not UTF-8 text`)
  })

  it('fingerprints the bytes of the file', async () => {
    const a = join(scratch, 'a.yaml')
    writeFileSync(a, MINIMAL)
    const first = (await loadPlan(a)).spec.source.sha256
    writeFileSync(a, `${MINIMAL}# a comment\n`)
    expect((await loadPlan(a)).spec.source.sha256).not.toBe(first)
    expect(loadPlanText(MINIMAL, a).spec.source.sha256).toBe(first)
  })
})
