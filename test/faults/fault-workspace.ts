import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { EngineOptions } from '../../src/cli/engine-wiring.js'
import { applyPlan } from '../../src/engine/apply.js'
import type { ApplyOutcome } from '../../src/engine/apply.js'
import type { ApplyEvent } from '../../src/engine/events.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { computePlan } from '../../src/engine/planner.js'
import { loadPlan } from '../../src/plan/load.js'
import type { PlanSpec } from '../../src/plan/model.js'
import { createQuickstartTables, generateQuickstartData, sqlRunnerFromClient } from '../../src/quickstart/index.js'
import type { QuickstartOptions } from '../../src/quickstart/index.js'
import { FileStateStore } from '../../src/state/file-store.js'
import type { StateSnapshot } from '../../src/state/model.js'
import { palette } from '../../src/views/palette.js'
import { stepDoneLines } from '../../src/views/progress/step-lines.js'
import type { RetryNotice } from '../../src/warehouse/retry.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import type { ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { embeddedClient } from '../support/embedded-client.js'
import { ALL, FAST, relabelPlan } from '../support/embedded-workspace.js'
import { onSql, wireOf } from '../support/clickhouse-http-faults.js'
import type { WireRequest } from '../support/clickhouse-http-wire.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import type { FaultProxy, ProxyLogEntry } from '../support/fault-proxy.js'

/** What a run of `bf apply` showed: its outcome, every event, and each failed step's line as printed. */
export type FaultRun = ApplyOutcome & { events: ApplyEvent[]; failureLines: string[]; retries: RetryNotice[] }

/**
 * bf against a real HTTP ClickHouse: the embedded engine behind the ClickHouse HTTP test
 * server, behind a fault proxy that the plan's `clickhouse.url` points at. Applies run in
 * this process with short timeouts and backoff; the test keeps a client of its own on the
 * engine to seed and check data without going through the faults.
 */
export interface FaultWorkspace {
  dir: string
  sql: ClickHouseClient
  server: ClickHouseHttpServer
  proxy: FaultProxy
  /** Every retry of a warehouse call, over all runs. */
  retries: RetryNotice[]
  /** Told of each warehouse retry as it is about to happen. */
  onRetry?: (notice: RetryNotice) => void
  /** Writes the plan file; each plan name has its own state folder. */
  writePlan(yaml: string): void
  apply(engine?: EngineOptions): Promise<FaultRun>
  plan(): Promise<ComputedPlan>
  state(): Promise<StateSnapshot>
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>
  seed(options: QuickstartOptions): Promise<void>
  close(): Promise<void>
}

/** Short timeouts and fast backoff: the defaults are for real clusters. */
const REQUEST_TIMEOUT_MS = 1_500
const WAREHOUSE_RETRY = { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 }

export async function openFaultWorkspace(): Promise<FaultWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'bf-faults-'))
  const dataPath = join(dir, 'data')
  mkdirSync(dataPath, { recursive: true })
  const sql = embeddedClient(dataPath)
  const server = await startClickHouseHttpServer({ dataPath })
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port })
  const planFile = join(dir, 'plan.yaml')
  const retries: RetryNotice[] = []
  const load = async (): Promise<PlanSpec> => (await loadPlan(planFile)).spec
  const onRetry = (notice: RetryNotice): void => {
    retries.push(notice)
    workspace.onRetry?.(notice)
  }
  const engineOptions = (extra: EngineOptions = {}): EngineOptions => ({
    ...extra,
    warehouse: { requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: { ...WAREHOUSE_RETRY, onRetry }, ...extra.warehouse },
    sql: { pollMs: 20, ...extra.sql },
  })

  const workspace: FaultWorkspace = {
    dir,
    sql,
    server,
    proxy,
    retries,
    writePlan: (yaml) => writeFileSync(planFile, yaml),
    async apply(extra = {}) {
      const spec = await load()
      const engine = await openEngine(spec, undefined, process.env, engineOptions(extra))
      const events: ApplyEvent[] = []
      const before = retries.length
      try {
        const outcome = await applyPlan({
          spec,
          deps: engine.deps,
          source: { kind: 'plan', options: ALL },
          executor: FAST,
          stop: { stopping: new AbortController().signal, aborted: new AbortController().signal },
          lockTimeoutMs: 0,
          review: async () => true,
          listeners: [(event) => void events.push(event)],
          onWarning: () => {},
        })
        const failureLines = events.flatMap((event) => (event.type === 'step_done' && event.status === 'failed' ? stepDoneLines(event, palette(false), '  ') : []))
        return { ...outcome, events, failureLines, retries: retries.slice(before) }
      } finally {
        await engine.close()
      }
    },
    async plan() {
      const spec = await load()
      const engine = await openEngine(spec, undefined, process.env, engineOptions())
      try {
        return await computePlan(spec, engine.deps, ALL)
      } finally {
        await engine.close()
      }
    },
    async state() {
      const spec = await load()
      return new FileStateStore(spec.statePath, spec.name).read()
    },
    async rows<T>(query: string, params: Record<string, unknown> = {}) {
      const result = await sql.query({ query, query_params: params, format: 'JSONEachRow' })
      return result.json<T>()
    },
    async seed(options) {
      const runner = sqlRunnerFromClient(sql)
      await createQuickstartTables(runner)
      await generateQuickstartData(runner, options)
    },
    async close() {
      await proxy.close()
      await server.close()
      await sql.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return workspace
}

/** Live figures of the target against the source of truth, over the whole seeded range. */
export interface Figures {
  rows: number
  keys: number
  /** Rows not written by the backfill's job (stale labels). */
  stale: number
  truth: number
}

export async function figures(ws: FaultWorkspace, label: string): Promise<Figures> {
  const [row] = await ws.rows<Record<keyof Figures, string>>(
    `SELECT (SELECT count() FROM conversation_with_labels) AS rows,
            (SELECT uniqExact(customer_id, conversation_id) FROM conversation_with_labels) AS keys,
            (SELECT countIf(label != {label:String}) FROM conversation_with_labels) AS stale,
            (SELECT count() FROM conversation_d) AS truth`,
    { label },
  )
  return { rows: Number(row?.rows), keys: Number(row?.keys), stale: Number(row?.stale), truth: Number(row?.truth) }
}

/** Every conversation once, with the backfill's label: what a correct apply leaves (raw rows, no FINAL). */
export function correct(truth: number): Figures {
  return { rows: truth, keys: truth, stale: 0, truth }
}

/** The quickstart's relabel plan (an `INSERT … SELECT` job by default) named `name`, against ClickHouse at `url`. */
export function httpPlan(name: string, url: string, options: Parameters<typeof relabelPlan>[0]): string {
  return relabelPlan(options).replace('name: relabel-test', `name: ${name}`).replace('embedded: ./data', `url: ${url}`)
}

/** Statements bf sent through the proxy that match, with the fault each one met. */
export function sent(ws: FaultWorkspace, pattern: RegExp, params: Record<string, string> = {}): (WireRequest & { fault: ProxyLogEntry['fault'] })[] {
  const match = onSql(pattern, params)
  return ws.proxy.log.filter((entry) => match(entry.request)).map((entry) => ({ ...wireOf(entry.request), fault: entry.fault }))
}
