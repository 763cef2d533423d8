// One rewrite per cluster: `bf plan --json > /dev/null` of a fresh backfill of 1,000
// customers × 365 days on one cluster with `delete.per: cluster`, the customers discovered
// from the expected table at refresh, refresh and rewrite estimate answered by the embedded engine; then how often
// the deletes rewrite the parts they touch, per cluster and per customer (`ratio.js`).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runJsonScript, runNode } from '../lib/child.js'
import { benchDir, bfBin, dist } from '../lib/paths.js'
import { median } from '../lib/stats.js'
import { writeScalePlan } from '../plan-scale/plan-file.js'

const START = '2026-01-01T00:00:00Z'

export async function rewriteScenario({ work, customers, days, runs, ratio, log }) {
  const { quickstartCustomerIds } = await dist('quickstart/index.js')
  const dir = join(work, 'plan')
  await mkdir(dir, { recursive: true })
  // Every day labelled already: a re-label of the whole year, whose rows the delete removes first.
  const made = await runJsonScript(join(benchDir, 'plan-scale', 'data.js'), [join(dir, 'data'), String(customers), String(days), String(days), START])
  log(`  data for ${customers} customers × ${days} days in ${made.json.seconds.toFixed(1)}s`)
  const planFile = await writeScalePlan(dir, { clusters: ['local'], customers: quickstartCustomerIds(customers), start: START, days })
  const listed = (await readFile(planFile, 'utf8')).replace('per: customer', 'per: cluster')
  await writeFile(planFile, listed.replace(/customers: \[[^\]]*\]/, 'customers: { from: expected }'))
  const timings = []
  for (let run = 0; run < runs; run++) timings.push(await runNode([bfBin, 'plan', planFile, '--json'], { cwd: dir, stdout: 'ignore' }))
  const human = await runNode([bfBin, 'plan', planFile, '--no-color'], { cwd: dir, allowExit: [0, 2] })
  const summary = human.stdout.trim().split('\n').at(-1)
  const seconds = median(timings.map((timing) => timing.seconds))
  log(`  plan: ${seconds.toFixed(2)}s (runs: ${timings.map((timing) => `${timing.seconds.toFixed(1)}s, ${timing.cpuSeconds?.toFixed(1)}s CPU`).join('; ')}) — ${summary}`)
  await rm(dir, { recursive: true, force: true })

  const measured = {}
  for (const per of ['cluster', 'customer']) {
    const run = await runJsonScript(join(benchDir, 'rewrite', 'ratio.js'), [join(work, `ratio-${per}`), String(ratio.customers), String(ratio.days), String(ratio.perDay), per])
    measured[per] = run.json
    log(`  delete per ${per}: ${run.json.deletes} deletes, ${run.json.part_rewrites} part rewrites of ${run.json.parts_touched} parts, rewrite_ratio ${run.json.rewrite_ratio.toFixed(2)}`)
    await rm(join(work, `ratio-${per}`), { recursive: true, force: true })
  }
  return {
    plan: {
      clusters: 1,
      customers,
      days,
      units: customers * days,
      seconds,
      peak_mb: median(timings.map((timing) => timing.peakMb ?? NaN)),
      // The host is shared: bf's own CPU time (user + system) says what the wall time does not.
      cpu_seconds: median(timings.map((timing) => timing.cpuSeconds ?? NaN)),
      runs: timings.map((timing) => ({ seconds: timing.seconds, peak_mb: timing.peakMb, cpu_seconds: timing.cpuSeconds })),
      summary,
    },
    per_cluster: measured.cluster,
    per_customer: measured.customer,
  }
}
