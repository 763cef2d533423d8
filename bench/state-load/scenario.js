// State load: the planning bench's largest state (3 clusters × N customers × 366 days,
// half done), read as `bf plan` reads it, a customer at a time, by a fresh process from
// each backend: the file backend's snapshot, and the clickhouse backend's rows in the
// embedded engine, then the same rows from a server (the engine behind a ClickHouse HTTP
// interface in a process of its own, as a team's state cluster is). Wall time, CPU time
// and peak RSS of each read, bf's process alone.
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { buildTestSupport } from '../lib/build-support.js'
import { runJsonScript, startJsonService } from '../lib/child.js'
import { benchDir, dist } from '../lib/paths.js'
import { median } from '../lib/stats.js'
import { writeScalePlan } from '../plan-scale/plan-file.js'

const START = '2026-01-01T00:00:00Z'
const CLUSTERS = ['us-east', 'us-west', 'eu-central']

export async function stateLoadScenario({ work, customers, days, runs, log }) {
  const { quickstartCustomerIds } = await dist('quickstart/index.js')
  await mkdir(join(work, 'data'), { recursive: true })
  const shape = { clusters: CLUSTERS, customers: quickstartCustomerIds(customers), start: START, days }
  const filePlan = await writeScalePlan(work, shape)
  const clickhousePlan = await writeScalePlan(work, { ...shape, state: ['', 'state:', '  backend: clickhouse'], file: 'plan-clickhouse.yaml' })
  const built = await runJsonScript(join(benchDir, 'plan-scale', 'state.js'), [filePlan, String(Math.floor(days / 2))], { env: { NODE_OPTIONS: '--max-old-space-size=16384' } })
  const stateDir = join(work, '.bf', 'state', 'scale')
  const copied = await runJsonScript(join(benchDir, 'state-load', 'to-clickhouse.js'), [clickhousePlan, stateDir], { env: { NODE_OPTIONS: '--max-old-space-size=16384' } })
  log(`  ${built.json.units.toLocaleString('en-US')} units, ${built.json.steps.toLocaleString('en-US')} steps in state; written to the clickhouse state in ${copied.json.seconds.toFixed(1)}s`)
  const measure = async (name, args) => {
    const reads = []
    for (let run = 0; run < runs; run++) {
      const read = await runJsonScript(join(benchDir, 'state-load', 'load.js'), args, { cwd: work })
      if (read.json.steps !== built.json.steps) throw new Error(`the ${name} backend read ${read.json.steps} steps, not ${built.json.steps}`)
      reads.push(read)
      log(`  ${name}: read in ${read.json.seconds.toFixed(2)}s (CPU ${read.cpuSeconds?.toFixed(1)}s), ${Math.round(read.peakMb)} MB peak, largest group ${read.json.largest_group} steps`)
    }
    return {
      seconds: median(reads.map((read) => read.json.seconds)),
      cpu_seconds: median(reads.map((read) => read.cpuSeconds ?? NaN)),
      peak_mb: median(reads.map((read) => read.peakMb ?? NaN)),
      runs: reads.map((read) => ({ seconds: read.json.seconds, cpu_seconds: read.cpuSeconds, peak_mb: read.peakMb })),
    }
  }
  const file = await measure('file', [filePlan, stateDir])
  const clickhouse = await measure('clickhouse', [clickhousePlan])
  const engine = await runJsonScript(join(benchDir, 'state-load', 'engine-only.js'), [clickhousePlan], { cwd: work })
  clickhouse.engine_only_peak_mb = engine.peakMb
  log(`  the embedded engine alone (no steps read): ${Math.round(engine.peakMb)} MB peak`)
  const supportDir = await buildTestSupport('clickhouse-server', ['clickhouse-http-server.ts'])
  const endpoint = await startJsonService(join(benchDir, 'state-load', 'server.js'), [supportDir, join(work, 'data')])
  let server
  try {
    const { url } = endpoint.json
    const serverPlan = await writeScalePlan(work, { ...shape, state: ['', 'state:', '  backend: clickhouse'], file: 'plan-clickhouse-server.yaml', url })
    server = await measure('clickhouse server', [serverPlan])
  } finally {
    await endpoint.stop()
  }
  await rm(work, { recursive: true, force: true })
  return { units: built.json.units, steps: built.json.steps, file, clickhouse, clickhouse_server: server }
}
