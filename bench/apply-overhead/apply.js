// Child process: job steps through bf's real Executor and state store with a launcher that
// does nothing, on the embedded engine (which only the cluster's check step touches). The
// file backend fsyncs every transition to its journal; the clickhouse backend (BACKEND
// `clickhouse`) writes them to its table in that same engine, group-committed. Verify steps
// are left out: their time is ClickHouse's. Prints the wall and CPU time, per-step
// latencies and the compaction time.
// Usage: node bench/apply-overhead/apply.js WORK_DIR CUSTOMERS DAYS [BACKEND [CONCURRENCY]]
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeQuickstartPlan } from '../e2e/plan-file.js'
import { dist } from '../lib/paths.js'
import { median, secondsSince } from '../lib/stats.js'
import { NoopLauncher } from './noop-launcher.js'

const [workDir, customersText, daysText, backend = 'file', concurrencyText] = process.argv.slice(2)
const { prepareQuickstart, quickstartCustomerIds } = await dist('quickstart/index.js')
const { loadPlan } = await dist('plan/load.js')
const { openEngine } = await dist('cli/engine-wiring.js')
const { computePlan } = await dist('engine/planner.js')
const { Executor } = await dist('engine/executor.js')
const { DEFAULT_EXECUTOR_OPTIONS } = await dist('engine/step-handler.js')

await rm(workDir, { recursive: true, force: true })
await mkdir(workDir, { recursive: true })
// Empty tables: the check step only needs them to exist.
await prepareQuickstart(join(workDir, 'data'), { customers: 1, days: 1, conversationsPerDay: 1 })
const customers = quickstartCustomerIds(Number(customersText))
const planFile = await writeQuickstartPlan(workDir, { customers, start: '2024-01-01T00:00:00Z', days: Number(daysText), ...(backend === 'file' ? {} : { stateBackend: backend }), ...(concurrencyText ? { concurrency: Number(concurrencyText) } : {}) })
const { spec } = await loadPlan(planFile)
const engine = await openEngine(spec)
const launcher = new NoopLauncher(spec.job.kind)
const deps = { ...engine.deps, launcher: () => launcher }
const never = new globalThis.AbortController().signal
const lock = await deps.state.lock({ operation: 'apply', timeoutMs: 0 })
let result
try {
  const state = await deps.state.read()
  const planned = await computePlan(spec, deps, { selection: { targets: [], excludes: [] }, select: 'all', refresh: false }, state)
  const plan = { ...planned, steps: planned.steps.filter((step) => step.kind === 'job' || step.kind === 'check') }
  const jobs = plan.steps.filter((step) => step.kind === 'job').length
  const startedAt = new Map()
  const latencies = []
  const executor = new Executor(spec, plan, deps, state, DEFAULT_EXECUTOR_OPTIONS, { stopping: never, aborted: never })
  executor.on((event) => {
    if (event.type === 'step_start') startedAt.set(event.address, process.hrtime.bigint())
    else if (event.type === 'step_done' && event.kind === 'job') latencies.push(Number(process.hrtime.bigint() - startedAt.get(event.address)) / 1e6)
  })
  const started = process.hrtime.bigint()
  const cpuStarted = process.cpuUsage()
  const outcome = await executor.run()
  const seconds = secondsSince(started)
  const cpu = process.cpuUsage(cpuStarted)
  if (outcome.failed > 0 || outcome.succeeded !== plan.steps.length) throw new Error(`apply failed: ${JSON.stringify(outcome.failures.slice(0, 3))}`)
  const compactStarted = process.hrtime.bigint()
  await deps.state.compact()
  latencies.sort((a, b) => a - b)
  result = {
    steps: jobs,
    concurrency: spec.job.concurrency,
    seconds,
    ms_per_step: (seconds * 1000) / jobs,
    cpu_ms_per_step: (cpu.user + cpu.system) / 1000 / jobs,
    backend,
    step_latency_ms_p50: median(latencies),
    step_latency_ms_p99: latencies[Math.floor(latencies.length * 0.99)],
    journal_writes: 2 * jobs,
    compact_seconds: secondsSince(compactStarted),
    state_dir: spec.statePath,
    plan_name: spec.name,
  }
} finally {
  await lock.release()
  await engine.close()
}
await writeFile(join(workDir, 'result.json'), JSON.stringify(result))
process.stdout.write(`${JSON.stringify(result)}\n`)
