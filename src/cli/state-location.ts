import path from 'node:path'
import type { PlanSpec } from '../plan/model.js'

/** Where a plan's state lives, as people read it: `.bf/state/relabel-2026`, `clickhouse us-east-1-prod bf.bf_state`. */
export function describeStateLocation(spec: PlanSpec): string {
  const { state } = spec
  if (state.backend === 'file') return path.relative(process.cwd(), spec.statePath) || '.'
  return `clickhouse ${state.cluster} ${state.database}.${state.table}`
}

/** Whether two plans keep their state in the same place: the same folder, or the same plan's rows of the same table on the same server. */
export function sameStateLocation(a: PlanSpec, b: PlanSpec): boolean {
  return locationKey(a) === locationKey(b)
}

function locationKey(spec: PlanSpec): string {
  const { state } = spec
  if (state.backend === 'file') return `file:${path.resolve(spec.statePath)}`
  const server = spec.clusters.find((cluster) => cluster.name === state.cluster)?.clickhouse
  return JSON.stringify(['clickhouse', server?.url ?? server?.embedded, state.database, state.table, spec.name])
}
