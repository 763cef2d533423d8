import { errorMessage } from '../common/error-text.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { PlanSpec } from '../plan/model.js'
import type { JobRequest } from '../launchers/launcher.js'
import type { EngineDeps } from './deps.js'
import { unitOf } from './handlers/job.js'
import type { ComputedPlan, PlannedStep } from './plan-model.js'
import { renderJobEnv } from './step-inputs.js'

/** The first job step of each customer: the others differ only in their batch. */
function firstJobs(plan: ComputedPlan): PlannedStep[] {
  const seen = new Set<string>()
  return plan.steps.filter((step) => {
    if (step.kind !== 'job') return false
    const key = `${step.cluster}\u0000${step.customer ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** A job request for review: env rendered, `${env:…}` references left as written, so no secret is shown. */
function reviewRequest(spec: PlanSpec, step: PlannedStep, lineage: string): Omit<JobRequest, 'signal' | 'logDir'> {
  const unit = unitOf(step)
  const cluster = spec.clusters.find((candidate) => candidate.name === step.cluster)
  if (!cluster) throw new Error(`cluster ${step.cluster} is not in the plan`)
  return {
    planName: spec.name,
    lineage,
    address: step.address,
    unitAddress: unit.address,
    cluster,
    customer: unit.customer,
    batch: unit.batch,
    attempt: 1,
    job: spec.job,
    env: renderJobEnv(spec, unit),
  }
}

/**
 * A copy of the plan for review in which each customer's first job carries what its
 * launcher would run exactly (a Job manifest, a statement, an argv), and, with
 * `serverDryRun`, the server's rejections as errors. The plan itself is left as it is.
 */
export async function withJobPreviews(spec: PlanSpec, plan: ComputedPlan, deps: EngineDeps, serverDryRun: boolean): Promise<ComputedPlan> {
  const launcher = deps.launcher(spec.job.kind)
  const previews = new Map<string, string>()
  const warnings: Diagnostic[] = [...plan.warnings]
  for (const step of firstJobs(plan)) {
    const request = reviewRequest(spec, step, plan.state.lineage ?? '')
    try {
      previews.set(step.address, await launcher.describe(request))
      if (serverDryRun && launcher.serverDryRun) {
        for (const finding of await launcher.serverDryRun(request)) {
          warnings.push({ severity: finding.severity, code: finding.code, address: step.address, message: finding.message })
        }
      }
    } catch (error) {
      warnings.push({ severity: 'error', code: 'job-preview', address: step.address, message: errorMessage(error) })
    }
  }
  const steps = plan.steps.map((step) => {
    const preview = previews.get(step.address)
    return preview === undefined ? step : { ...step, inputs: { ...step.inputs, preview } }
  })
  return { ...plan, steps, warnings }
}
