#!/usr/bin/env node
// bf's benchmark: `npm run bench` (a full run, about 15 minutes on 2 cores) or
// `npm run bench -- --quick` (a smaller one, a few minutes). Every scenario runs in child
// processes; every figure is a median of several runs. A full run writes bench/results.json;
// `--only=NAME --merge` runs one scenario and updates only its figures there.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyClickHouseScenario } from './apply-overhead/clickhouse-scenario.js'
import { applyOverheadScenario } from './apply-overhead/scenario.js'
import { e2eScenario } from './e2e/scenario.js'
import { machineInfo } from './lib/machine.js'
import { benchDir } from './lib/paths.js'
import { round, secondsSince } from './lib/stats.js'
import { formatTable } from './lib/table.js'
import { mutationsScenario } from './mutations/scenario.js'
import { kubeScaleScenario } from './kube-scale/scenario.js'
import { planScaleScenario } from './plan-scale/scenario.js'
import { reportScenario } from './report/scenario.js'
import { rewriteScenario } from './rewrite/scenario.js'
import { stateLoadScenario } from './state-load/scenario.js'

const quick = process.argv.includes('--quick')
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',')
const merge = process.argv.includes('--merge')
const wanted = (name) => !only || only.includes(name)

/** Sizes of a full run (the issue's) and of a quick one. */
const SIZES = quick
  ? { stateLoad: { customers: 100, days: 366, runs: 1 }, applyClickhouse: { customers: 5, days: 40, runs: 1, concurrencies: [2, 20] }, e2e: { customers: 5, days: 10, perDay: 1000, pairs: 3 }, plan: { customerCounts: [10, 100], days: 366, runs: 3 }, apply: { customers: 20, days: 500, runs: 3 }, mutations: { customers: 5, days: 10, perDay: 200 }, rewrite: { customers: 100, days: 365, runs: 1, ratio: { customers: 5, days: 5, perDay: 50 } }, report: { customers: 100, days: 365, runs: 3 }, kube: { clusters: 2, jobs: 200, concurrency: 50, warmup: 50, qps: 500, burst: 100 } }
  : { stateLoad: { customers: 1000, days: 366, runs: 3 }, applyClickhouse: { customers: 20, days: 100, runs: 1, concurrencies: [2, 20] }, e2e: { customers: 20, days: 50, perDay: 1000, pairs: 5 }, plan: { customerCounts: [10, 100, 1000], days: 366, runs: 3 }, apply: { customers: 200, days: 500, runs: 3 }, mutations: { customers: 10, days: 20, perDay: 500 }, rewrite: { customers: 1000, days: 365, runs: 3, ratio: { customers: 20, days: 10, perDay: 50 } }, report: { customers: 1000, days: 365, runs: 3 }, kube: { clusters: 2, jobs: 1000, concurrency: 50, warmup: 200, qps: 500, burst: 100 } }

const TARGETS = {
  e2e_ratio: { max: 1.05 },
  e2e_statements_ratio: { max: 1.1 },
  e2e_ratio_clickhouse: { max: 1.1 },
  plan_seconds: { max: 20 },
  plan_peak_mb: { max: 1536 },
  plan_linearity: { max: 1.5 },
  apply_overhead_ms_per_step: { max: 1 },
  state_load_seconds: { max: 2 },
  apply_overhead_ms_per_step_clickhouse: { max: 2 },
  state_load_seconds_clickhouse: { max: 5 },
  state_load_peak_mb_clickhouse_over_file: { max: 1 },
  state_load_peak_mb_clickhouse_server_over_file: { max: 1 },
  mutations_per_customer_cluster: { equals: 1 },
  rewrite_plan_seconds: { max: 20 },
  rewrite_ratio: { equals: 1 },
  report_bytes: { max: 10_000_000 },
  report_render_ms: { max: 2000 },
  kube_requests_per_job: { max: 2 },
  kube_heap_growth_mb: { max: 16 },
}

const log = (text) => process.stderr.write(`${text}\n`)
const work = await mkdtemp(join(tmpdir(), 'bf-bench-'))
const started = process.hrtime.bigint()
const results = { generated_by: 'npm run bench', mode: quick ? 'quick' : 'full', machine: machineInfo(), targets: TARGETS }
try {
  if (wanted('e2e')) {
    log(`End to end: bf apply vs the runbook's statements (${SIZES.e2e.customers} customers × ${SIZES.e2e.days} days × ${SIZES.e2e.perDay}/day)`)
    await mkdir(join(work, 'e2e'))
    results.e2e = await e2eScenario({ work: join(work, 'e2e'), ...SIZES.e2e, pollMs: 100, log })
    results.e2e_ratio = round(results.e2e.ratio, 3)
    results.e2e_statements_ratio = round(results.e2e.statements_ratio, 3)
  }
  if (wanted('e2e-clickhouse')) {
    // Three pairs: each takes as long as the file backend's, and this one is run alone, after it.
    const pairs = Math.min(SIZES.e2e.pairs, 3)
    log(`End to end with the state in ClickHouse (the embedded engine of the data): ${pairs} pairs`)
    await mkdir(join(work, 'e2e-clickhouse'))
    results.e2e_clickhouse = await e2eScenario({ work: join(work, 'e2e-clickhouse'), ...SIZES.e2e, pairs, pollMs: 100, stateBackend: 'clickhouse', log })
    results.e2e_ratio_clickhouse = round(results.e2e_clickhouse.ratio, 3)
  }
  if (wanted('plan')) {
    log('Planning scale: bf plan --json > /dev/null, 3 clusters × N customers × 366 days, state half done')
    await mkdir(join(work, 'plan'))
    const sizes = await planScaleScenario({ work: join(work, 'plan'), ...SIZES.plan, log })
    const largest = sizes.at(-1)
    const previous = sizes.at(-2)
    results.plan_scale = sizes
    results.plan_units = largest.units
    results.plan_seconds = round(largest.seconds, 2)
    results.plan_peak_mb = Math.round(largest.peak_mb)
    // Time per unit at the largest size over time per unit one size down: 1 is linear.
    results.plan_linearity = round(largest.us_per_unit / previous.us_per_unit, 2)
  }
  if (wanted('apply')) {
    log(`Apply overhead: ${(SIZES.apply.customers * SIZES.apply.days).toLocaleString('en-US')} job steps with a launcher that does nothing`)
    await mkdir(join(work, 'apply'))
    results.apply = await applyOverheadScenario({ work: join(work, 'apply'), ...SIZES.apply, log })
    results.apply_overhead_ms_per_step = round(results.apply.ms_per_step, 3)
    results.state_load_seconds = round(results.apply.state_load_seconds, 2)
  }
  if (wanted('apply-clickhouse')) {
    const { customers, days } = SIZES.applyClickhouse
    log(`Apply overhead, state in ClickHouse: ${(customers * days).toLocaleString('en-US')} job steps with a launcher that does nothing`)
    await mkdir(join(work, 'apply-clickhouse'))
    results.apply_clickhouse = await applyClickHouseScenario({ work: join(work, 'apply-clickhouse'), ...SIZES.applyClickhouse, log })
    results.apply_overhead_ms_per_step_clickhouse = round(results.apply_clickhouse[0].ms_per_step, 3)
  }
  if (wanted('state-load')) {
    const { customers, days } = SIZES.stateLoad
    log(`State load: the planning bench's state (3 clusters × ${customers.toLocaleString('en-US')} customers × ${days} days, half done) read a customer at a time, file vs clickhouse`)
    await mkdir(join(work, 'state-load'))
    results.state_load = await stateLoadScenario({ work: join(work, 'state-load'), ...SIZES.stateLoad, log })
    results.state_load_seconds_clickhouse = round(results.state_load.clickhouse.seconds, 2)
    // Peak RSS of the clickhouse read over the file read's: the embedded engine (about 300 MB) is in bf's process.
    results.state_load_peak_mb_clickhouse_over_file = round(results.state_load.clickhouse.peak_mb / results.state_load.file.peak_mb, 2)
    // The same read from a server in another process: bf's process holds only what it reads.
    // Its time is mostly the test server's (a Node process relaying the embedded engine), so it has no target of its own.
    results.state_load_seconds_clickhouse_server = round(results.state_load.clickhouse_server.seconds, 2)
    results.state_load_peak_mb_clickhouse_server_over_file = round(results.state_load.clickhouse_server.peak_mb / results.state_load.file.peak_mb, 2)
  }
  if (wanted('mutations')) {
    log(`Mutations: delete per customer vs per day (${SIZES.mutations.customers} customers × ${SIZES.mutations.days} days)`)
    await mkdir(join(work, 'mutations'))
    results.mutations = await mutationsScenario({ work: join(work, 'mutations'), ...SIZES.mutations, log })
    const perCustomer = results.mutations.per_customer
    results.mutations_per_customer_cluster = round(perCustomer.mutations / (perCustomer.customers * perCustomer.clusters), 2)
  }
  if (wanted('rewrite')) {
    const { customers, days } = SIZES.rewrite
    log(`One rewrite per cluster: bf plan --json > /dev/null, 1 cluster × ${customers.toLocaleString('en-US')} customers × ${days} days, delete.per: cluster; bytes rewritten ÷ bytes of the parts touched`)
    await mkdir(join(work, 'rewrite'))
    results.rewrite = await rewriteScenario({ work: join(work, 'rewrite'), ...SIZES.rewrite, log })
    results.rewrite_plan_seconds = round(results.rewrite.plan.seconds, 2)
    results.rewrite_ratio = round(results.rewrite.per_cluster.rewrite_ratio, 2)
    results.rewrite_ratio_per_customer = round(results.rewrite.per_customer.rewrite_ratio, 2)
  }
  if (wanted('report')) {
    log(`Report: bf report of ${SIZES.report.customers.toLocaleString('en-US')} customers × ${SIZES.report.days} days, opened in Chromium`)
    await mkdir(join(work, 'report'))
    results.report = await reportScenario({ work: join(work, 'report'), ...SIZES.report, log })
    results.report_bytes = results.report.bytes
    results.report_render_ms = Math.round(results.report.render_ms)
  }
  if (wanted('kube')) {
    const { clusters, jobs, concurrency } = SIZES.kube
    log(`Kubernetes at scale: ${clusters} clusters × ${jobs.toLocaleString('en-US')} Jobs at concurrency ${concurrency} against the test API server`)
    results.kube = await kubeScaleScenario({ ...SIZES.kube, log })
    results.kube_requests_per_job = round(results.kube.requests_per_job, 3)
    // bf's heap at the end over its heap once every cluster's first Jobs were done: flat is 0.
    results.kube_heap_growth_mb = round(results.kube.heap_mb_at_end - results.kube.heap_mb_after_warmup, 1)
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
const meets = (value, target) => ('equals' in target ? value === target.equals : value <= target.max)
const targetText = (target) => ('equals' in target ? `= ${target.equals}` : `≤ ${target.max}`)
results.met = Object.fromEntries(Object.entries(TARGETS).filter(([key]) => key in results).map(([key, target]) => [key, meets(results[key], target)]))
results.bench_seconds = Math.round(secondsSince(started))

if (quick) process.stdout.write('\nQuick run: smaller sizes than the targets are set for; see bench/results.json for a full run.\n')
const rows = [['figure', 'value', 'target', 'met']]
for (const [key, target] of Object.entries(TARGETS)) if (key in results) rows.push([key, results[key], targetText(target), results.met[key] ? 'yes' : 'NO'])
process.stdout.write(`\n${formatTable(rows)}\n`)
if (results.plan_scale) {
  const scale = [['units', 'seconds', 'peak MB', 'µs/unit'], ...results.plan_scale.map((size) => [size.units.toLocaleString('en-US'), size.seconds.toFixed(2), Math.round(size.peak_mb), size.us_per_unit.toFixed(1)])]
  process.stdout.write(`\n${formatTable(scale)}\n`)
}
if (results.e2e) {
  const { pairs, verify_ms_per_unit: verify } = results.e2e
  const table = [['pair', 'bf s', 'plain s', 'ratio', 'bf statements', 'plain statements', 'statements ratio']]
  pairs.forEach((pair, i) => table.push([i + 1, pair.bf_seconds.toFixed(1), pair.plain_seconds.toFixed(1), pair.ratio.toFixed(3), pair.bf_statements, pair.plain_statements, pair.statements_ratio.toFixed(3)]))
  process.stdout.write(`\n${formatTable(table)}\n`)
  process.stdout.write(`\nverify time per unit: ${Object.entries(verify).map(([size, ms]) => `${ms.toFixed(2)} ms at ${size} per query`).join(', ')}\n`)
}
if (results.state_load) {
  const { file, clickhouse, clickhouse_server: server, steps } = results.state_load
  const table = [['state backend', `read of ${steps.toLocaleString('en-US')} steps, s`, 'CPU s', 'peak MB'], ...[['file', file], ['clickhouse (embedded)', clickhouse], ['clickhouse (server)', server]].map(([name, read]) => [name, read.seconds.toFixed(2), read.cpu_seconds.toFixed(1), Math.round(read.peak_mb)])]
  process.stdout.write(`\n${formatTable(table)}\n(the embedded engine alone: ${Math.round(clickhouse.engine_only_peak_mb)} MB peak)\n`)
}
if (results.apply_clickhouse) {
  const table = [['concurrency', 'steps', 'ms/step', 'CPU ms/step', 'p50 ms', 'p99 ms'], ...results.apply_clickhouse.map((size) => [size.concurrency, size.steps, size.ms_per_step.toFixed(3), size.cpu_ms_per_step.toFixed(3), size.step_latency_ms_p50.toFixed(2), size.step_latency_ms_p99.toFixed(2)])]
  process.stdout.write(`\n${formatTable(table)}\n`)
}
if (results.mutations) {
  const { per_customer: customer, per_day: day } = results.mutations
  const table = [['delete per', 'mutations', 'parts rewritten', 'rows rewritten'], ...[['customer', customer], ['day', day]].map(([name, run]) => [name, run.mutations, run.parts_rewritten, run.rows_rewritten.toLocaleString('en-US')])]
  process.stdout.write(`\n${formatTable(table)}\n`)
}
const file = quick ? join(tmpdir(), 'bf-bench-results.quick.json') : join(benchDir, 'results.json')
if (!only) await writeFile(file, `${JSON.stringify(results, null, 2)}\n`)
else if (merge && !quick) await writeFile(file, `${JSON.stringify(mergedResults(JSON.parse(await readFile(file, 'utf8')), results), null, 2)}\n`)
process.stdout.write(`\n${only && !(merge && !quick) ? 'Partial run (--only): nothing written.' : `Wrote ${file}`} (${results.bench_seconds}s)\n`)

/** The full run's results with a partial run's figures, targets and verdicts laid over them. */
function mergedResults(full, partial) {
  const { generated_by: _by, mode: _mode, bench_seconds: _seconds, machine, targets, met, ...figures } = partial
  const partialRuns = [...new Set([...(full.merged_partial_runs ?? []), ...only])]
  return { ...full, machine, targets: { ...full.targets, ...targets }, ...figures, met: { ...full.met, ...met }, merged_partial_runs: partialRuns }
}
