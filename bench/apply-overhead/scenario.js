// Apply overhead: job steps with a launcher that does nothing, through the real executor
// and state store; then the time a fresh process takes to read the state they left.
import { join } from 'node:path'
import { runJsonScript } from '../lib/child.js'
import { benchDir } from '../lib/paths.js'
import { median } from '../lib/stats.js'

export async function applyOverheadScenario({ work, customers, days, runs, log }) {
  const applies = []
  const loads = []
  for (let run = 0; run < runs; run++) {
    const dir = join(work, `apply-${run}`)
    const apply = await runJsonScript(join(benchDir, 'apply-overhead', 'apply.js'), [dir, String(customers), String(days)])
    applies.push(apply.json)
    const load = await runJsonScript(join(benchDir, 'apply-overhead', 'load.js'), [apply.json.state_dir, apply.json.plan_name])
    loads.push(load.json)
    log(`  run ${run + 1}: ${apply.json.steps.toLocaleString('en-US')} steps, ${apply.json.ms_per_step.toFixed(3)} ms/step, state read in ${load.json.seconds.toFixed(2)}s`)
  }
  return {
    steps: applies[0].steps,
    concurrency: applies[0].concurrency,
    ms_per_step: median(applies.map((apply) => apply.ms_per_step)),
    step_latency_ms_p50: median(applies.map((apply) => apply.step_latency_ms_p50)),
    step_latency_ms_p99: median(applies.map((apply) => apply.step_latency_ms_p99)),
    compact_seconds: median(applies.map((apply) => apply.compact_seconds)),
    state_load_seconds: median(loads.map((load) => load.seconds)),
    state_steps: loads[0].steps,
  }
}
