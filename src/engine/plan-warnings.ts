import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, PlanSpec } from '../plan/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import type { PlannedStep } from './plan-model.js'
import { deletesOverGuard } from './large-deletes.js'
import { targetProblems } from './target-problems.js'

/** Warnings (and errors) the live figures of one cluster raise about the plan. */
export function clusterWarnings(spec: PlanSpec, cluster: ClusterSpec, live: LiveFigures, steps: PlannedStep[]): Diagnostic[] {
  const found: Diagnostic[] = targetProblems(spec, cluster.name, live).map(({ severity, code, message }) => ({ severity, code, address: cluster.name, message }))
  if (!live.target) return found
  for (const { step, rows, max } of deletesOverGuard(spec, steps, cluster.name)) {
    found.push({
      severity: 'warning',
      code: 'large-delete',
      address: step.address,
      message: `deletes ~${rows.toLocaleString('en-US')} rows, above guards.maxDeleteRows (${max.toLocaleString('en-US')}): apply refuses unless --allow-large-delete`,
    })
  }
  return found
}
