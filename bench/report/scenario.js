// The report at scale: `bf report --refresh=false` of one cluster × N customers × 365 days,
// most of it done, then the page opened in the system's Chromium.
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { runJsonScript, runNode } from '../lib/child.js'
import { benchDir, bfBin, dist } from '../lib/paths.js'
import { writeScalePlan } from '../plan-scale/plan-file.js'

const START = '2026-01-01T00:00:00Z'

/** The file's size, the time bf took to write it, and the median time Chromium took to show it. */
export async function reportScenario({ work, customers, days, runs, log }) {
  const { quickstartCustomerIds } = await dist('quickstart/index.js')
  const planFile = await writeScalePlan(work, { clusters: ['us-east'], customers: quickstartCustomerIds(customers), start: START, days })
  const state = await runJsonScript(join(benchDir, 'report', 'state.js'), [planFile], { env: { NODE_OPTIONS: '--max-old-space-size=8192' } })
  log(`  state of ${state.json.units.toLocaleString('en-US')} units (${state.json.steps.toLocaleString('en-US')} steps) in ${state.json.seconds.toFixed(1)}s`)
  const file = join(work, 'report.html')
  const written = await runNode([bfBin, 'report', planFile, '-o', file, '--refresh=false'], { cwd: work })
  const bytes = (await stat(file)).size
  const render = await runJsonScript(join(benchDir, 'report', 'render.js'), [file, String(runs)])
  log(`  ${(bytes / 1e6).toFixed(2)} MB written in ${written.seconds.toFixed(2)}s; ${render.json.cells.toLocaleString('en-US')} cells shown in ${Math.round(render.json.ms)} ms`)
  return {
    customers,
    days,
    units: state.json.units,
    bytes,
    write_seconds: written.seconds,
    write_peak_mb: written.peakMb,
    cells: render.json.cells,
    render_ms: render.json.ms,
    render_runs_ms: render.json.runs,
  }
}
