// Child process: `bf apply` of a plan, in process, on the embedded engine, then what the
// engine counted while the apply's mutations ran: mutations submitted (system.mutations)
// and parts rewritten (the MutationTotalParts − MutationUntouchedParts profile events,
// which count only in the process that ran them), with the rows those rewrites wrote.
// Usage: node bench/mutations/apply.js PLAN_FILE
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [planFile] = process.argv.slice(2)
const { loadPlan } = await dist('plan/load.js')
const { openEngine } = await dist('cli/engine-wiring.js')
const { applyPlan } = await dist('engine/apply.js')
const { DEFAULT_EXECUTOR_OPTIONS } = await dist('engine/step-handler.js')

const { spec } = await loadPlan(planFile)
const engine = await openEngine(spec)
const never = new globalThis.AbortController().signal
let result
try {
  const started = process.hrtime.bigint()
  const outcome = await applyPlan({
    spec,
    deps: engine.deps,
    source: { kind: 'plan', options: { selection: { targets: [], excludes: [] }, select: 'all', refresh: true } },
    executor: DEFAULT_EXECUTOR_OPTIONS,
    stop: { stopping: never, aborted: never },
    lockTimeoutMs: 0,
    review: async () => true,
    listeners: [],
    onWarning: () => undefined,
  })
  const seconds = secondsSince(started)
  if (outcome.kind !== 'applied' || outcome.result.failed > 0) throw new Error(`apply did not succeed: ${JSON.stringify(outcome.kind === 'applied' ? outcome.result.failures.slice(0, 3) : outcome.kind)}`)
  const warehouse = await engine.deps.warehouse(spec.clusters[0].name)
  const event = async (name) => Number((await warehouse.scalar('SELECT toUInt64(sum(value)) FROM system.events WHERE event = {name:String}', { name })) ?? 0)
  const mutations = Number(await warehouse.scalar('SELECT count() FROM system.mutations WHERE table = {table:String}', { table: spec.target.table }))
  const totalParts = await event('MutationTotalParts')
  const untouchedParts = await event('MutationUntouchedParts')
  result = {
    delete_per: spec.delete === false ? 'none' : spec.delete.per,
    customers: spec.clusters.reduce((sum, cluster) => sum + cluster.customers.length, 0),
    clusters: spec.clusters.length,
    units: outcome.plan.summary.create + outcome.plan.summary.replace,
    mutations,
    parts_rewritten: totalParts - untouchedParts,
    parts_looked_at: totalParts,
    rows_rewritten: await event('MutatedRows'),
    apply_seconds: seconds,
  }
} finally {
  await engine.close()
}
process.stdout.write(`${JSON.stringify(result)}\n`)
