// End to end: `bf apply` of the quickstart plan versus the runbook's own statements, side
// by side on fresh copies of the same data, each side's statements counted.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runJsonScript, runNode } from '../lib/child.js'
import { benchDir, bfBin } from '../lib/paths.js'
import { median } from '../lib/stats.js'
import { writeQuickstartPlan } from './plan-file.js'
import { runbookOfPlan } from './runbook.js'

const START = '2026-01-01T00:00:00Z'
/** One job at a time on both sides, as the runbook runs its days. */
const CONCURRENCY = 1
const COUNTER = join(benchDir, 'e2e', 'count-statements.js')
/** Customers whose units the verify time per unit is measured on (50 days each: 100 groups of 1, 2 of 50 at 2 customers). */
const VERIFY_TIMING_CUSTOMERS = 4

async function freshCopy(source, dir) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  await cp(source, join(dir, 'data'), { recursive: true })
}

/** `node --import count-statements.js ARGS…`: the run and the statements it sent to the engine. */
async function counted(dir, run) {
  const file = join(dir, 'statements.json')
  const result = await run({ BF_BENCH_STATEMENTS: file }, ['--import', COUNTER])
  const { statements } = JSON.parse(await readFile(file, 'utf8'))
  return { ...result, statements }
}

/**
 * `pairs` pairs of runs, alternating which goes first. Each bf run is the CLI
 * (`bf apply --auto-approve`, its plan verifying duplicates and the ratio) on its own copy
 * of the data; each plain run is the runbook's script (plain.js): per customer one DELETE,
 * an INSERT per day, then the customer's own verification. Both times include starting
 * node and opening the engine. After the first bf run, the verify time per unit is timed
 * on its data at 1 and at 50 units per query. `stateBackend: 'clickhouse'`: bf keeps its
 * state in the same embedded engine as the data.
 */
export async function e2eScenario({ work, customers, days, perDay, pairs, pollMs, stateBackend, log }) {
  const source = join(work, 'source')
  const made = await runJsonScript(join(benchDir, 'e2e', 'generate.js'), [source, String(customers), String(days), String(perDay)])
  log(`  data: ${made.json.conversations.toLocaleString('en-US')} conversations in ${made.json.seconds.toFixed(1)}s`)
  const planDir = join(work, 'plan')
  await mkdir(planDir, { recursive: true })
  const runbookFile = join(work, 'runbook.json')
  await writeFile(runbookFile, JSON.stringify(await runbookOfPlan(await writeQuickstartPlan(planDir, { customers: made.json.customers, start: START, days, concurrency: CONCURRENCY }))))
  let verifyTiming

  const runBf = async (pair) => {
    const dir = join(work, `bf-${pair}`)
    await freshCopy(source, dir)
    const planFile = await writeQuickstartPlan(dir, { customers: made.json.customers, start: START, days, concurrency: CONCURRENCY, stateBackend })
    const run = await counted(dir, (env, preload) => runNode([...preload, bfBin, 'apply', planFile, '--auto-approve', '--no-color'], { cwd: dir, env: { NO_COLOR: '1', ...env } }))
    if (!verifyTiming) {
      const timing = await runJsonScript(join(benchDir, 'e2e', 'verify-groups.js'), [planFile, String(Math.min(VERIFY_TIMING_CUSTOMERS, customers))], { cwd: dir })
      verifyTiming = timing.json
    }
    await rm(join(dir, 'data'), { recursive: true, force: true })
    return run
  }
  const runPlain = async (pair) => {
    const dir = join(work, `plain-${pair}`)
    await freshCopy(source, dir)
    const run = await counted(dir, (env, preload) => runJsonScript(join(benchDir, 'e2e', 'plain.js'), [join(dir, 'data'), runbookFile, String(pollMs)], { env, preload }))
    await rm(join(dir, 'data'), { recursive: true, force: true })
    return run
  }

  const rows = []
  for (let pair = 1; pair <= pairs; pair++) {
    let bf
    let plain
    if (pair % 2 === 1) {
      bf = await runBf(pair)
      plain = await runPlain(pair)
    } else {
      plain = await runPlain(pair)
      bf = await runBf(pair)
    }
    rows.push({
      bf_seconds: bf.seconds,
      plain_seconds: plain.seconds,
      ratio: bf.seconds / plain.seconds,
      bf_statements: bf.statements,
      plain_statements: plain.statements,
      statements_ratio: bf.statements / plain.statements,
      bf_cpu_seconds: bf.cpuSeconds,
      plain_cpu_seconds: plain.cpuSeconds,
      plain_spent: plain.json.spent,
    })
    const cpu = bf.cpuSeconds === null || plain.cpuSeconds === null ? '' : ` (CPU ${bf.cpuSeconds.toFixed(1)}s vs ${plain.cpuSeconds.toFixed(1)}s)`
    log(`  pair ${pair}: bf ${bf.seconds.toFixed(1)}s, plain ${plain.seconds.toFixed(1)}s, ratio ${(bf.seconds / plain.seconds).toFixed(3)}${cpu}; statements ${bf.statements} vs ${plain.statements}`)
  }
  await rm(source, { recursive: true, force: true })
  return {
    conversations: made.json.conversations,
    customers,
    days,
    units: customers * days,
    plain_poll_ms: pollMs,
    pairs: rows,
    bf_seconds: median(rows.map((row) => row.bf_seconds)),
    plain_seconds: median(rows.map((row) => row.plain_seconds)),
    ratio: median(rows.map((row) => row.ratio)),
    bf_statements: median(rows.map((row) => row.bf_statements)),
    plain_statements: median(rows.map((row) => row.plain_statements)),
    statements_ratio: median(rows.map((row) => row.statements_ratio)),
    verify_ms_per_unit: Object.fromEntries(Object.entries(verifyTiming.per_query).map(([size, figures]) => [size, figures.ms_per_unit])),
    verify_timing: verifyTiming,
  }
}
