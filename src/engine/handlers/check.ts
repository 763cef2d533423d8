import { errorMessage } from '../../common/error-text.js'
import type { StepHandler, StepResult } from '../step-handler.js'
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
  const maxRows = spec.guards.maxDeleteRows
  if (maxRows !== undefined && !context.options.allowLargeDelete) {
    for (const other of plan.steps) {
      if (other.cluster === cluster.name && other.kind === 'delete' && (other.estimatedRows ?? 0) > maxRows) {
        problems.push(`${other.address} deletes ~${other.estimatedRows?.toLocaleString('en-US')} rows, above guards.maxDeleteRows (${maxRows.toLocaleString('en-US')}); rerun with --allow-large-delete if intended`)
      }
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
