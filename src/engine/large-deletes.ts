import type { PlanSpec } from '../plan/model.js'
import type { PlannedStep } from './plan-model.js'

/** The deletes of `cluster` expected to remove more rows than `guards.maxDeleteRows`: the plan warns of them, the check step refuses them. */
export function deletesOverGuard(spec: PlanSpec, steps: readonly PlannedStep[], cluster: string): { step: PlannedStep; rows: number; max: number }[] {
  const max = spec.guards.maxDeleteRows
  if (max === undefined) return []
  const over: { step: PlannedStep; rows: number; max: number }[] = []
  for (const step of steps) {
    const rows = step.estimatedRows ?? 0
    if (step.cluster === cluster && step.kind === 'delete' && rows > max) over.push({ step, rows, max })
  }
  return over
}

/** The deletes of `cluster` whose parts to rewrite weigh more than `guards.maxRewriteBytes`: the plan warns of them, the check step refuses them. */
export function rewritesOverGuard(spec: PlanSpec, steps: readonly PlannedStep[], cluster: string): { step: PlannedStep; bytes: number; max: number }[] {
  const max = spec.guards.maxRewriteBytes
  if (max === undefined) return []
  const over: { step: PlannedStep; bytes: number; max: number }[] = []
  for (const step of steps) {
    const bytes = step.rewrite?.bytes ?? 0
    if (step.cluster === cluster && step.kind === 'delete' && bytes > max) over.push({ step, bytes, max })
  }
  return over
}
