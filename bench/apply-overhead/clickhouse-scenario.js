// Apply overhead with the clickhouse state backend: job steps with a launcher that does
// nothing, every transition written to the state table in the embedded engine (the same
// one as the data), at the quickstart's concurrency (2) and at a higher one, where more
// transitions share each INSERT.
import { join } from 'node:path'
import { runJsonScript } from '../lib/child.js'
import { benchDir } from '../lib/paths.js'
import { median } from '../lib/stats.js'

export async function applyClickHouseScenario({ work, customers, days, runs, concurrencies, log }) {
  const sizes = []
  for (const concurrency of concurrencies) {
    const applies = []
    for (let run = 0; run < runs; run++) {
      const dir = join(work, `apply-${concurrency}-${run}`)
      const apply = await runJsonScript(join(benchDir, 'apply-overhead', 'apply.js'), [dir, String(customers), String(days), 'clickhouse', String(concurrency)])
      applies.push(apply.json)
      log(`  concurrency ${concurrency}, run ${run + 1}: ${apply.json.steps.toLocaleString('en-US')} steps, ${apply.json.ms_per_step.toFixed(3)} ms/step (CPU ${apply.json.cpu_ms_per_step.toFixed(3)} ms/step)`)
    }
    sizes.push({
      concurrency,
      steps: applies[0].steps,
      ms_per_step: median(applies.map((apply) => apply.ms_per_step)),
      cpu_ms_per_step: median(applies.map((apply) => apply.cpu_ms_per_step)),
      step_latency_ms_p50: median(applies.map((apply) => apply.step_latency_ms_p50)),
      step_latency_ms_p99: median(applies.map((apply) => apply.step_latency_ms_p99)),
      compact_seconds: median(applies.map((apply) => apply.compact_seconds)),
    })
  }
  return sizes
}
