// Planning scale: `bf plan --json > /dev/null` over 3 clusters × N customers × 366 days
// with a state half done, refresh answered by the embedded engine.
import { mkdir, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { runJsonScript, runNode } from '../lib/child.js'
import { benchDir, bfBin, dist } from '../lib/paths.js'
import { median } from '../lib/stats.js'
import { writeScalePlan } from './plan-file.js'

const START = '2026-01-01T00:00:00Z'
const CLUSTERS = ['us-east', 'us-west', 'eu-central']

/** For each customer count: the plan's units, and the median wall time and peak RSS of `runs` plans. */
export async function planScaleScenario({ work, customerCounts, days, runs, log }) {
  const { quickstartCustomerIds } = await dist('quickstart/index.js')
  const doneDays = Math.floor(days / 2)
  const most = Math.max(...customerCounts)
  const data = join(work, 'data')
  const made = await runJsonScript(join(benchDir, 'plan-scale', 'data.js'), [data, String(most), String(days), String(doneDays), START])
  log(`  data for ${most} customers × ${days} days in ${made.json.seconds.toFixed(1)}s`)
  const sizes = []
  for (const count of customerCounts) {
    const dir = join(work, `plan-${count}`)
    await mkdir(dir, { recursive: true })
    await symlink(data, join(dir, 'data'))
    const planFile = await writeScalePlan(dir, { clusters: CLUSTERS, customers: quickstartCustomerIds(count), start: START, days })
    const state = await runJsonScript(join(benchDir, 'plan-scale', 'state.js'), [planFile, String(doneDays)], { env: { NODE_OPTIONS: '--max-old-space-size=16384' } })
    const timings = []
    for (let run = 0; run < runs; run++) {
      timings.push(await runNode([bfBin, 'plan', planFile, '--json'], { cwd: dir, stdout: 'ignore' }))
    }
    const size = {
      clusters: CLUSTERS.length,
      customers: count,
      days,
      units: state.json.units,
      state_steps: state.json.steps,
      seconds: median(timings.map((timing) => timing.seconds)),
      peak_mb: median(timings.map((timing) => timing.peakMb ?? NaN)),
      runs: timings.map((timing) => ({ seconds: timing.seconds, peak_mb: timing.peakMb })),
    }
    size.us_per_unit = (size.seconds * 1e6) / size.units
    sizes.push(size)
    log(`  ${size.units.toLocaleString('en-US')} units: ${size.seconds.toFixed(2)}s, ${Math.round(size.peak_mb)} MB peak`)
    await rm(dir, { recursive: true, force: true })
  }
  await rm(data, { recursive: true, force: true })
  return sizes
}
