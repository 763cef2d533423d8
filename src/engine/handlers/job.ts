import { errorMessage } from '../../common/error-text.js'
import { splitAddress } from '../../plan/address.js'
import { resolveEnvRefs } from '../../plan/env-refs.js'
import type { Unit } from '../../plan/model.js'
import type { JobTemplate } from '../../launchers/launcher.js'
import type { ComputedPlan, PlannedStep } from '../plan-model.js'
import type { JsonValue } from '../../state/model.js'
import type { StepContext, StepHandler, StepResult } from '../step-handler.js'
import { renderJobEnv } from '../step-inputs.js'
import { join } from 'node:path'

export function unitOf(step: PlannedStep): Unit {
  if (!step.unit || !step.window || step.customer === undefined) throw new Error(`${step.address} is not a unit step`)
  const label = splitAddress(step.unit)[2] ?? ''
  return { address: step.unit, cluster: step.cluster, customer: step.customer, batch: { ...step.window, label } }
}

/** The cluster's job template as the plan was made with it: the job is made from it. */
function plannedTemplate(plan: ComputedPlan, cluster: string): { template?: JobTemplate } {
  const planned = plan.jobTemplates?.find((candidate) => candidate.cluster === cluster)
  return planned ? { template: { source: planned.source, fingerprint: planned.fingerprint, content: planned.content } } : {}
}

/**
 * What an attempt of the unit's job is known by before it is sent (an INSERT's query id),
 * from the plan's launcher; recorded with its start. Nothing when the launcher names none,
 * or cannot say (its module fails to load): the attempt then fails in `runJob` with that
 * error, like any other.
 */
export async function identifyJob(step: PlannedStep, context: Pick<StepContext, 'spec' | 'deps' | 'lineage' | 'attempt'>): Promise<Record<string, JsonValue> | undefined> {
  try {
    const launcher = context.deps.launcher(context.spec.job.kind)
    if (!launcher.identify) return undefined
    const known = await launcher.identify({ unitAddress: unitOf(step).address, attempt: context.attempt, lineage: context.lineage })
    return Object.keys(known).length > 0 ? known : undefined
  } catch {
    return undefined
  }
}

/**
 * What an unfinished run of this attempt left, with when the state recorded its start
 * unless the launcher recorded its own: a deadline counts from then.
 */
function previousRun(step: PlannedStep, context: StepContext): Record<string, JsonValue> | undefined {
  if (!context.previous) return undefined
  const startedAt = context.record(step.address)?.startedAt
  return startedAt === undefined ? context.previous : { startedAt, ...context.previous }
}

/** Runs one attempt of a unit's job through the plan's launcher. */
export const runJob: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps } = context
  const cluster = spec.clusters.find((candidate) => candidate.name === step.cluster)
  if (!cluster) return { status: 'failed', error: `cluster ${step.cluster} is not in the plan` }
  const unit = unitOf(step)
  let env: Record<string, string>
  try {
    const templates = renderJobEnv(spec, unit)
    env = Object.fromEntries(Object.entries(templates).map(([name, value]) => [name, resolveEnvRefs(value, deps.env, `job.env.${name}`)]))
  } catch (error) {
    return { status: 'failed', error: errorMessage(error) }
  }
  const launcher = deps.launcher(spec.job.kind)
  const signal = launcher.onFirstStop === 'detach' ? AbortSignal.any([context.stopping, context.aborted]) : context.aborted
  const run = launcher.run(
    {
      planName: spec.name,
      lineage: context.lineage,
      address: step.address,
      unitAddress: unit.address,
      cluster,
      customer: unit.customer,
      batch: unit.batch,
      attempt: context.attempt,
      job: spec.job,
      env,
      logDir: join(spec.statePath, 'logs'),
      signal,
      ...plannedTemplate(context.plan, cluster.name),
    },
    { record: context.save, note: context.note },
    previousRun(step, context),
  )
  let outcome: Awaited<typeof run>
  try {
    outcome = await run
  } catch (error) {
    // A launcher told to stop may reject; what it recorded lets the next apply adopt the job.
    if (signal.aborted) return { status: 'interrupted' }
    throw error
  }
  if (outcome.unresolved) return { status: 'unresolved', error: outcome.error ?? 'the end of the job is unknown', ...(outcome.logTail ? { logTail: outcome.logTail } : {}) }
  if (outcome.ok) return { status: 'succeeded', outputs: outcome.outputs }
  if (signal.aborted) return { status: 'interrupted' }
  return {
    status: 'failed',
    error: outcome.error ?? 'job failed',
    outputs: outcome.outputs,
    ...(outcome.logTail ? { logTail: outcome.logTail } : {}),
  }
}
