// End to end: `bf apply` of the quickstart plan versus a plain script sending the same
// statements in the same order, side by side on fresh copies of the same data.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runJsonScript, runNode } from '../lib/child.js'
import { benchDir, bfBin } from '../lib/paths.js'
import { median } from '../lib/stats.js'
import { writeQuickstartPlan } from './plan-file.js'
import { statementsOfApply } from './statements.js'

const START = '2026-01-01T00:00:00Z'

async function freshCopy(source, dir) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  await cp(source, join(dir, 'data'), { recursive: true })
}

/**
 * `pairs` pairs of runs, alternating which goes first. Each bf run is the CLI
 * (`bf apply --auto-approve`) on its own copy of the data; each plain run sends the
 * statements bf recorded in its first run. Both run the same count queries per unit
 * (bf's verify step); both times include starting node and opening the engine.
 */
export async function e2eScenario({ work, customers, days, perDay, pairs, pollMs, log }) {
  const source = join(work, 'source')
  const made = await runJsonScript(join(benchDir, 'e2e', 'generate.js'), [source, String(customers), String(days), String(perDay)])
  log(`  data: ${made.json.conversations.toLocaleString('en-US')} conversations in ${made.json.seconds.toFixed(1)}s`)
  const statementsFile = join(work, 'statements.json')
  let statements

  const runBf = async (pair) => {
    const dir = join(work, `bf-${pair}`)
    await freshCopy(source, dir)
    const planFile = await writeQuickstartPlan(dir, { customers: made.json.customers, start: START, days })
    const run = await runNode([bfBin, 'apply', planFile, '--auto-approve', '--no-color'], { cwd: dir, env: { NO_COLOR: '1' } })
    if (!statements) {
      statements = await statementsOfApply(planFile)
      await writeFile(statementsFile, JSON.stringify(statements))
    }
    await rm(join(dir, 'data'), { recursive: true, force: true })
    return { seconds: run.seconds, cpuSeconds: run.cpuSeconds }
  }
  const runPlain = async (pair) => {
    const dir = join(work, `plain-${pair}`)
    await freshCopy(source, dir)
    const run = await runJsonScript(join(benchDir, 'e2e', 'plain.js'), [join(dir, 'data'), statementsFile, String(pollMs)])
    await rm(join(dir, 'data'), { recursive: true, force: true })
    return { seconds: run.seconds, cpuSeconds: run.cpuSeconds, spent: run.json.spent }
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
      bf_cpu_seconds: bf.cpuSeconds,
      plain_cpu_seconds: plain.cpuSeconds,
      plain_spent: plain.spent,
    })
    const cpu = bf.cpuSeconds === null || plain.cpuSeconds === null ? '' : ` (CPU ${bf.cpuSeconds.toFixed(1)}s vs ${plain.cpuSeconds.toFixed(1)}s)`
    log(`  pair ${pair}: bf ${bf.seconds.toFixed(1)}s, plain ${plain.seconds.toFixed(1)}s, ratio ${(bf.seconds / plain.seconds).toFixed(3)}${cpu}`)
  }
  await rm(source, { recursive: true, force: true })
  return {
    conversations: made.json.conversations,
    customers,
    days,
    units: customers * days,
    deletes: statements.deletes.length,
    inserts: statements.units.length,
    plain_poll_ms: pollMs,
    pairs: rows,
    bf_seconds: median(rows.map((row) => row.bf_seconds)),
    plain_seconds: median(rows.map((row) => row.plain_seconds)),
    ratio: median(rows.map((row) => row.ratio)),
  }
}
