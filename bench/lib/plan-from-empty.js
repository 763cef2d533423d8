// The plan bf computes for a plan file on an empty state, without ClickHouse: what the
// bench's synthetic states are built from.
import { dist } from './paths.js'

/** `{ spec, plan }` of `planFile`, planned from state alone (`--refresh=false`) on an empty state. */
export async function planFromEmptyState(planFile) {
  const { loadPlan } = await dist('plan/load.js')
  const { computePlan } = await dist('engine/planner.js')
  const { STATE_FORMAT_VERSION } = await dist('state/model.js')
  const { buildDeleteStatement } = await dist('warehouse/delete-statement.js')
  const { spec } = await loadPlan(planFile)
  const empty = { formatVersion: STATE_FORMAT_VERSION, lineage: '', serial: 0, plan: spec.name, steps: new Map() }
  const deps = { deleteStatement: buildDeleteStatement, version: 'bench', env: {}, state: undefined, warehouse: undefined, launcher: undefined }
  const plan = await computePlan(spec, deps, { selection: { targets: [], excludes: [] }, select: 'all', refresh: false }, empty)
  return { spec, plan }
}
