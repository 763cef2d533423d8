import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { computePlan } from '../../src/engine/planner.js'
import { loadPlan } from '../../src/plan/load.js'
import { ensureBuilt, ROOT } from '../support/cli.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { ALL, openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'

const CUSTOMERS = ['alaska-air', 'acme', 'globex']
const SHARED_STATE = 'state:\n  backend: clickhouse\n  lease: 10s\n'
let ws: EmbeddedWorkspace
const elsewhere: string[] = []

beforeAll(async () => {
  ensureBuilt()
  ws = openWorkspace()
  await ws.seed({ customers: 3, days: 10, conversationsPerDay: 3, start: '2026-01-01T00:00:00Z' })
  ws.writePlan(relabelPlan({ customers: CUSTOMERS, end: '2026-01-11T00:00:00Z', extra: SHARED_STATE }).replace('concurrency: 2', 'concurrency: 8'))
})
afterAll(async () => {
  await ws?.close()
  for (const dir of elsewhere) rmSync(dir, { recursive: true, force: true })
})

/** The same plan file in a folder of its own, its cluster given as `cluster` (the state is not in any folder). */
function copyOfPlan(cluster: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-elsewhere-'))
  elsewhere.push(dir)
  const file = join(dir, 'plan.yaml')
  writeFileSync(file, readFileSync(ws.planFile, 'utf8').replace('embedded: ./data', cluster))
  return file
}

/** Reads the plan's state in a process of its own, as `bf state list` does, and prints each step's status. */
function readInChild(planFile: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runChild(
    `const { loadPlan } = await import(${JSON.stringify(join(ROOT, 'dist', 'plan', 'load.js'))});` +
      `const { withStateStore } = await import(${JSON.stringify(join(ROOT, 'dist', 'cli', 'engine-wiring.js'))});` +
      `const { spec } = await loadPlan(${JSON.stringify(planFile)});` +
      'const state = await withStateStore(spec, (store) => store.read());' +
      'for (const [address, record] of state.steps) console.log(address, record.status)',
  )
}

/** Runs a module script with bf's dependencies at hand. */
function runChild(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: an HTTP server the child talks to may run in this process.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })))
}

describe('an apply with the clickhouse state backend', () => {
  it('records every transition in the shared table with far fewer INSERTs than steps, and a plan from another folder has nothing to do', async () => {
    const outcome = await ws.apply()
    expect(outcome.kind).toBe('applied')
    const plan = outcome.kind === 'applied' ? outcome.plan : undefined
    const steps = plan?.steps.length ?? 0
    expect(steps).toBeGreaterThan(60)

    // Nothing of the state in the plan's folder.
    expect(() => readFileSync(join(ws.dir, '.bf', 'state', 'relabel-test', 'journal.jsonl'))).toThrow()
    const [written] = await ws.rows<{ transitions: string; inserts: string }>(
      "SELECT countIf(what = 'event') AS transitions, uniqExact(_block_number) AS inserts FROM bf.bf_state WHERE plan = 'relabel-test' AND is_step = 1",
    )
    const transitions = Number(written?.transitions)
    const inserts = Number(written?.inserts)
    expect(transitions).toBeGreaterThanOrEqual(2 * steps)
    // Group commit: transitions that arrive while an INSERT runs go in the next one.
    expect(inserts).toBeLessThan(steps * 0.7)
    expect(transitions / inserts).toBeGreaterThan(3)
    const [parts] = await ws.rows<{ parts: string }>("SELECT count() AS parts FROM system.parts WHERE database = 'bf' AND table = 'bf_state' AND active")
    expect(Number(parts?.parts)).toBeLessThanOrEqual(inserts + 2)

    const other = (await loadPlan(copyOfPlan(`embedded: ${join(ws.dir, 'data')}`))).spec
    const engine = await openEngine(other)
    try {
      const again = await computePlan(other, engine.deps, ALL)
      expect(again.summary.hasChanges).toBe(false)
    } finally {
      await engine.close()
    }
  })

  it('says in one line what a server without KeeperMap needs, and writes no row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-no-keeper-'))
    elsewhere.push(dir)
    const script =
      "const { createChdbConnection } = await import('chdb/connection');" +
      `const { openClickHouseStateStore } = await import(${JSON.stringify(join(ROOT, 'dist', 'state', 'clickhouse', 'open-store.js'))});` +
      // The engine started as a plain server would be, without keeper_map_path_prefix: bf's own configuration comes too late.
      `const plain = createChdbConnection({ path: ${JSON.stringify(join(dir, 'data'))} });` +
      `const spec = { name: 'p', source: { file: 'plan.yaml' }, clusters: [{ name: 'local', clickhouse: { embedded: ${JSON.stringify(join(dir, 'data'))}, settings: {} }, customers: [] }] };` +
      "const store = openClickHouseStateStore(spec, { backend: 'clickhouse', cluster: 'local', database: 'bf', table: 'bf_state', lock: 'keeper-map', leaseMs: 60000 }, {});" +
      "try { await store.lock({ operation: 'apply', timeoutMs: 0 }) } catch (error) { console.log(error.message) }" +
      "const rows = await plain.query({ query: 'SELECT count() AS n FROM bf.bf_state FORMAT JSONEachRow' }); for await (const chunk of rows.stream) console.log(String(chunk).trim());" +
      'await store.close(); await plain.close()'
    const child = await runChild(script)
    expect(child.stderr).toBe('')
    expect(child.stdout.trim().split('\n')).toEqual([
      'the ClickHouse of state cluster local has KeeperMap disabled, which the state\'s lease (KeeperMap table bf_memory.bf_state_lease) needs: ' +
        'its server config needs <keeper_map_path_prefix>/keeper_map_tables</keeper_map_path_prefix> (and a <zookeeper> or Keeper); ' +
        'or keep the lease in Kubernetes instead: state.lock: { kubernetes: { context: …, namespace: … } }',
      '{"n":0}',
    ])
  })

  it('is read by another process, over HTTP, as it was acknowledged', async () => {
    const http = await startClickHouseHttpServer({ dataPath: join(ws.dir, 'data') })
    try {
      const file = copyOfPlan(`url: ${http.url}`)
      const listed = await readInChild(file)
      expect(listed.stderr).toBe('')
      expect(listed.status).toBe(0)
      const lines = listed.stdout.trim().split('\n')
      expect(lines).toHaveLength(67)
      for (const customer of CUSTOMERS) expect(lines).toContain(`local/${customer}/2026-01-10/job succeeded`)
      expect(lines.filter((line) => !line.endsWith(' succeeded'))).toEqual([])
    } finally {
      await http.close()
    }
  })
})
