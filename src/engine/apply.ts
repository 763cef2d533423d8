import { UserError } from '../errors.js'
import type { PlanSpec } from '../plan/model.js'
import type { EngineDeps } from './deps.js'
import type { ApplyListener } from './events.js'
import { Executor } from './executor.js'
import type { ApplyResult, StopSignals } from './executor.js'
import type { ComputedPlan } from './plan-model.js'
import { checkSavedJobTemplates, planWithJobTemplates } from './job-templates.js'
import type { PlanOptions } from './planner.js'
import type { ExecutorOptions } from './step-handler.js'

export interface ApplyRequest {
  spec: PlanSpec
  deps: EngineDeps
  /** Plan afresh with these options, or apply a saved plan as it is. */
  source: { kind: 'plan'; options: PlanOptions } | { kind: 'saved'; plan: ComputedPlan }
  executor: ExecutorOptions
  stop: StopSignals
  lockTimeoutMs: number
  /** Shown the plan before anything runs; resolves false to cancel. Not called for saved plans. */
  review(plan: ComputedPlan): Promise<boolean>
  listeners: ApplyListener[]
  onWarning(message: string): void
}

export type ApplyOutcome = { kind: 'cancelled'; plan: ComputedPlan } | { kind: 'no-changes'; plan: ComputedPlan } | { kind: 'applied'; plan: ComputedPlan; result: ApplyResult }

/** A saved plan applies only to the plan file and state it was made from. */
export function checkSavedPlanFresh(saved: ComputedPlan, spec: PlanSpec, lineage: string, serial: number): void {
  const problems: string[] = []
  if (saved.plan.sha256 !== spec.source.sha256) problems.push(`${spec.source.file} changed since the plan was saved`)
  // A plan saved from an empty state has no lineage yet; the state must still be empty.
  if (saved.state.lineage !== null && saved.state.lineage !== lineage) problems.push('the state was replaced (lineage differs)')
  else if (saved.state.serial !== serial) problems.push(`the state moved on (serial ${saved.state.serial} → ${serial})`)
  if (problems.length > 0) throw new UserError(`Saved plan is stale: ${problems.join('; ')}. Run bf plan again.`)
}

/**
 * Plans (or takes a saved plan) and executes it, holding the state lock throughout so
 * nothing changes the state between the plan shown and the steps run.
 */
export async function applyPlan(request: ApplyRequest): Promise<ApplyOutcome> {
  const { spec, deps } = request
  const lock = await deps.state.lock({ operation: 'apply', timeoutMs: request.lockTimeoutMs, onWarning: request.onWarning })
  try {
    const state = await deps.state.read()
    for (const warning of deps.state.warnings) request.onWarning(warning)
    let plan: ComputedPlan
    if (request.source.kind === 'saved') {
      plan = request.source.plan
      checkSavedPlanFresh(plan, spec, state.lineage, state.serial)
      await checkSavedJobTemplates(plan, spec, deps)
    } else {
      plan = await planWithJobTemplates(spec, deps, request.source.options, state)
      const errors = plan.warnings.filter((warning) => warning.severity === 'error')
      if (errors.length > 0) throw new UserError(`bf refuses to apply: ${errors.map((error) => error.message).join('; ')}`)
      if (!plan.summary.hasChanges) return { kind: 'no-changes', plan }
      if (!(await request.review(plan))) return { kind: 'cancelled', plan }
    }
    const executor = new Executor(spec, plan, deps, state, request.executor, { ...request.stop, ...(lock.lost ? { lost: lock.lost } : {}) })
    for (const listener of request.listeners) executor.on(listener)
    const result = await executor.run()
    if (!request.stop.aborted.aborted && !result.leaseLost) await deps.state.compact()
    return { kind: 'applied', plan, result }
  } finally {
    await lock.release()
  }
}
