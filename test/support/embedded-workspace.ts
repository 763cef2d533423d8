import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { openEngine } from '../../src/cli/engine-wiring.js'
import type { Engine } from '../../src/cli/engine-wiring.js'
import { applyPlan } from '../../src/engine/apply.js'
import type { ApplyOutcome, ApplyRequest } from '../../src/engine/apply.js'
import type { EngineDeps } from '../../src/engine/deps.js'
import type { ApplyEvent, ApplyListener } from '../../src/engine/events.js'
import type { ComputedPlan } from '../../src/engine/plan-model.js'
import { computePlan } from '../../src/engine/planner.js'
import type { PlanOptions } from '../../src/engine/planner.js'
import { DEFAULT_EXECUTOR_OPTIONS } from '../../src/engine/step-handler.js'
import type { ExecutorOptions } from '../../src/engine/step-handler.js'
import { loadPlan } from '../../src/plan/load.js'
import type { PlanSpec } from '../../src/plan/model.js'
import { createQuickstartTables, generateQuickstartData, sqlRunnerFromClient } from '../../src/quickstart/index.js'
import type { QuickstartOptions } from '../../src/quickstart/index.js'
import { embeddedClient } from './embedded-client.js'

export const ALL: PlanOptions = { selection: { targets: [], excludes: [] }, select: 'all', refresh: true }

/** Fast polling and retries for tests; the defaults are for real clusters. */
export const FAST: ExecutorOptions = { ...DEFAULT_EXECUTOR_OPTIONS, pollIntervalMs: 20, jobBackoff: { baseDelayMs: 10, maxDelayMs: 50 } }

/**
 * A folder with a plan file whose cluster is the embedded engine at `./data`, a client of
 * the test's own on the same engine, and shortcuts to plan and apply through the real engine.
 */
export interface EmbeddedWorkspace {
  dir: string
  planFile: string
  sql: ClickHouseClient
  writePlan(yaml: string): void
  load(): Promise<PlanSpec>
  plan(options?: Partial<PlanOptions>): Promise<ComputedPlan>
  /** Plans and applies, approving the plan; `listeners` hear every event after the workspace's own record of them. */
  apply(
    options?: Partial<PlanOptions>,
    executor?: Partial<ExecutorOptions>,
    env?: NodeJS.ProcessEnv,
    listeners?: ApplyListener[],
    /** A first Ctrl-C (`stopping`): nothing new starts, running steps finish. */
    stopping?: AbortSignal,
  ): Promise<ApplyOutcome & { events: ApplyEvent[] }>
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>
  seed(options: QuickstartOptions): Promise<void>
  close(): Promise<void>
}

/** An apply as a test runs it: fast polls, no lock wait, approved, never stopped unless `overrides` say so. */
export function testApplyRequest(spec: PlanSpec, deps: EngineDeps, source: ApplyRequest['source'], overrides: Partial<ApplyRequest> = {}): ApplyRequest {
  return {
    spec,
    deps,
    source,
    executor: FAST,
    stop: { stopping: new AbortController().signal, aborted: new AbortController().signal },
    lockTimeoutMs: 0,
    review: async () => true,
    listeners: [],
    onWarning: () => {},
    ...overrides,
  }
}

export function openWorkspace(): EmbeddedWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'bf-engine-'))
  const planFile = join(dir, 'plan.yaml')
  const sql = embeddedClient(join(dir, 'data'))
  const engines: Engine[] = []
  const engineFor = async (spec: PlanSpec, env: NodeJS.ProcessEnv = process.env): Promise<Engine> => {
    const engine = await openEngine(spec, undefined, env)
    engines.push(engine)
    return engine
  }
  const workspace: EmbeddedWorkspace = {
    dir,
    planFile,
    sql,
    writePlan: (yaml) => writeFileSync(planFile, yaml),
    load: async () => (await loadPlan(planFile)).spec,
    async plan(options = {}) {
      const spec = await workspace.load()
      const engine = await engineFor(spec)
      try {
        return await computePlan(spec, engine.deps, { ...ALL, ...options })
      } finally {
        await engine.close()
      }
    },
    async apply(options = {}, executor = {}, env = process.env, listeners = [], stopping = new AbortController().signal) {
      const spec = await workspace.load()
      const engine = await engineFor(spec, env)
      const events: ApplyEvent[] = []
      try {
        const outcome = await applyPlan(
          testApplyRequest(spec, engine.deps, { kind: 'plan', options: { ...ALL, ...options } }, {
            executor: { ...FAST, ...executor },
            stop: { stopping, aborted: new AbortController().signal },
            listeners: [(event) => void events.push(event), ...listeners],
          }),
        )
        return { ...outcome, events }
      } finally {
        await engine.close()
      }
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
      await sql.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return workspace
}

/** The quickstart's plan shape, sized for tests. */
export function relabelPlan(options: { customers: string[]; start?: string; end?: string; per?: 'customer' | 'cluster' | 'batch'; maxCustomers?: number; canary?: string[]; extra?: string; env?: string; kind?: 'sql' | 'command'; command?: string[]; retries?: number }): string {
  const job =
    options.kind === 'command'
      ? `  kind: command\n  command: ${JSON.stringify(options.command ?? ['true'])}\n${options.env ?? ''}`
      : `  kind: sql
  sql: |
    INSERT INTO conversation_with_labels (conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at)
    SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at, 'assisted', toDateTime('2026-06-01 00:00:00')
    FROM conversation_d
    WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}
`
  return `version: 1
name: relabel-test
description: test plan
window:
  start: ${options.start ?? '2026-01-01T00:00:00Z'}
  end: ${options.end ?? '2026-01-04T00:00:00Z'}
  batch: 1d
target:
  table: conversation_with_labels
  timeColumn: conversation_end_time
  customerColumn: customer_id
  keyColumns: [conversation_id]
expected:
  table: conversation_d
  timeColumn: ended_at
  customerColumn: customer_id
  keyColumns: [conversation_id]
delete:
  per: ${options.per ?? 'customer'}
${options.maxCustomers === undefined ? '' : `  maxCustomers: ${options.maxCustomers}\n`}  timeout: 1m
job:
${job}  retries: ${options.retries ?? 0}
  concurrency: 2
verify:
  duplicates: true
  ratio: { min: 0.99, max: 1.01 }
${options.canary ? `rollout:\n  canary: ${JSON.stringify(options.canary)}\n` : ''}${options.extra ?? ''}clusters:
  local:
    clickhouse:
      embedded: ./data
    customers: ${JSON.stringify(options.customers)}
`
}
