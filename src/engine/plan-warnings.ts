import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, PlanSpec } from '../plan/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import type { PlannedStep } from './plan-model.js'
import { targetProblems } from './target-problems.js'

export { columnsInKey } from './target-problems.js'

/** Warnings (and errors) the live figures of one cluster raise about the plan. */
export function clusterWarnings(spec: PlanSpec, cluster: ClusterSpec, live: LiveFigures, steps: PlannedStep[]): Diagnostic[] {
  const found: Diagnostic[] = targetProblems(spec, cluster.name, live).map(({ severity, code, message }) => ({ severity, code, address: cluster.name, message }))
  if (!live.target) return found
  const maxRows = spec.guards.maxDeleteRows
  if (maxRows !== undefined) {
    for (const step of steps) {
      if (step.kind === 'delete' && (step.estimatedRows ?? 0) > maxRows) {
        found.push({
          severity: 'warning',
          code: 'large-delete',
          address: step.address,
          message: `deletes ~${step.estimatedRows?.toLocaleString('en-US')} rows, above guards.maxDeleteRows (${maxRows.toLocaleString('en-US')}): apply refuses unless --allow-large-delete`,
        })
      }
    }
  }
  return found
}
