import { errorMessage } from '../../common/error-text.js'
import type { StepHandler, StepResult } from '../step-handler.js'

/** Connectivity, tables, guards and the launcher's preflight, before anything in the cluster runs. */
export const runCheck: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps, plan } = context
  const cluster = spec.clusters.find((candidate) => candidate.name === step.cluster)
  if (!cluster) return { status: 'failed', error: `cluster ${step.cluster} is not in the plan` }
  const problems: string[] = []
  try {
    const warehouse = await deps.warehouse(cluster.name)
    await warehouse.ping()
    const { target } = spec
    const facts = await warehouse.tableFacts({ database: target.database, table: target.table })
    if (!facts) problems.push(`table ${target.database}.${target.table} does not exist`)
    else if (facts.engine === 'Distributed') problems.push(`${target.database}.${target.table} is a Distributed table: deletes must go to the local table`)
    if (facts) {
      const columns = new Set(facts.columns.map((column) => column.name))
      const missing = [target.timeColumn, target.customerColumn, ...target.keyColumns].filter((column) => !columns.has(column))
      if (missing.length > 0) problems.push(`${target.database}.${target.table} has no column ${missing.join(', ')}`)
      const time = facts.columns.find((column) => column.name === target.timeColumn)
      if (time && !/DateTime|Date/.test(time.type)) problems.push(`${target.timeColumn} is ${time.type}, not a DateTime: windows cannot bound it`)
    }
    if (target.readTable !== target.table && !(await warehouse.tableFacts({ database: target.database, table: target.readTable }))) {
      problems.push(`read table ${target.database}.${target.readTable} does not exist`)
    }
    const maxPending = spec.guards.maxPendingMutations
    if (maxPending !== undefined && facts) {
      const pending = await warehouse.pendingMutations({ database: target.database, table: target.table })
      if (pending > maxPending) problems.push(`${pending} mutations are pending on ${target.database}.${target.table} (guards.maxPendingMutations: ${maxPending}); wait for them to finish`)
    }
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
