import { errorMessage } from '../../common/error-text.js'
import type { StepHandler, StepResult } from '../step-handler.js'
import { formatSize } from '../../plan/size.js'
import { deletesOverGuard, rewritesOverGuard } from '../large-deletes.js'
import { targetProblems } from '../target-problems.js'

/** Connectivity, tables, guards and the launcher's preflight, before anything in the cluster runs. */
export const runCheck: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps, plan } = context
  const cluster = spec.clusters.find((candidate) => candidate.name === step.cluster)
  if (!cluster) return { status: 'failed', error: `cluster ${step.cluster} is not in the plan` }
  const problems: string[] = []
  try {
    const warehouse = await deps.warehouse(cluster.name)
    await warehouse.ping()
    const described = await warehouse.describeTarget({ target: spec.target, ...(spec.expected ? { expected: spec.expected } : {}) })
    for (const problem of targetProblems(spec, cluster.name, described)) if (problem.failsCheck) problems.push(problem.message)
  } catch (error) {
    return { status: 'failed', error: `${cluster.name}: ${errorMessage(error)}` }
  }
  if (!context.options.allowLargeDelete) {
    for (const { step: large, rows, max } of deletesOverGuard(spec, plan.steps, cluster.name)) {
      problems.push(`${large.address} deletes ~${rows.toLocaleString('en-US')} rows, above guards.maxDeleteRows (${max.toLocaleString('en-US')}); rerun with --allow-large-delete if intended`)
    }
    for (const { step: large, bytes, max } of rewritesOverGuard(spec, plan.steps, cluster.name)) {
      problems.push(`${large.address} rewrites ${formatSize(bytes)} of parts, above guards.maxRewriteBytes (${formatSize(max)}); rerun with --allow-large-delete if intended`)
    }
  }
  const findings = await deps.launcher(spec.job.kind).preflight(cluster, spec.job).catch((error: unknown) => [
    { severity: 'error' as const, code: 'preflight', message: errorMessage(error) },
  ])
  for (const finding of findings) {
    if (finding.severity === 'error') problems.push(finding.message)
    else context.note(`warning [${finding.code}]: ${finding.message}`)
  }
  if (problems.length > 0) return { status: 'failed', error: problems.join('; ') }
  return { status: 'succeeded', outputs: { warnings: findings.filter((f) => f.severity === 'warning').map((f) => f.message) } }
}
