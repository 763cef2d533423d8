import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, PlanSpec } from '../plan/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import type { PlannedStep } from './plan-model.js'

/** Column names a sorting key expression mentions (`toStartOfHour(t), agent` → t, agent). */
export function columnsInKey(sortingKey: string): string[] {
  const names: string[] = []
  for (const match of sortingKey.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    if (match[2] === undefined && match[1] !== undefined) names.push(match[1])
  }
  return [...new Set(names)]
}

function sortKeyWarning(spec: PlanSpec, cluster: ClusterSpec, live: LiveFigures): Diagnostic | undefined {
  const facts = live.target
  if (!facts?.sortingKey) return undefined
  const stable = new Set([...spec.target.keyColumns, spec.target.customerColumn])
  const mutable = columnsInKey(facts.sortingKey).filter((column) => !stable.has(column))
  if (mutable.length === 0) return undefined
  const named = mutable.map((column) => (column === spec.target.timeColumn ? `${column} (the time column)` : column))
  return {
    severity: 'warning',
    code: 'mutable-sort-key',
    address: cluster.name,
    message:
      `the sorting key of ${facts.database}.${facts.table} (${facts.sortingKey}) holds ${named.join(', ')}, not among keyColumns: ` +
      'a re-inserted row whose values changed gets a new sort key and the stale row stays, even with FINAL; the delete before each job removes it',
  }
}

/** Warnings (and errors) the live figures of one cluster raise about the plan. */
export function clusterWarnings(spec: PlanSpec, cluster: ClusterSpec, live: LiveFigures, steps: PlannedStep[]): Diagnostic[] {
  const found: Diagnostic[] = []
  const { target } = spec
  const add = (severity: Diagnostic['severity'], code: string, message: string): void => {
    found.push({ severity, code, address: cluster.name, message })
  }
  if (!live.target) {
    add('error', 'target-missing', `table ${target.database}.${target.table} does not exist on ${cluster.name}`)
    return found
  }
  if (live.target.engine === 'Distributed') {
    add('error', 'distributed-target', `${target.database}.${target.table} is a Distributed table: deletes must go to the local table (set target.table to it and target.readTable to ${target.table})`)
  }
  if (!live.readTable) add('warning', 'read-table-missing', `read table ${target.database}.${target.readTable} does not exist on ${cluster.name}: counts and verify cannot run`)
  if (spec.expected && !live.expectedTable) add('warning', 'expected-table-missing', `expected table ${spec.expected.database}.${spec.expected.table} does not exist on ${cluster.name}`)
  const sortKey = sortKeyWarning(spec, cluster, live)
  if (sortKey) found.push(sortKey)
  if (live.target.engine.startsWith('Replicated') && spec.job.kind !== 'sql') {
    add('warning', 'replicated-dedup', `${target.database}.${target.table} is ${live.target.engine}: it drops an inserted block identical to a recent one, so a job bf does not control may see re-inserted rows vanish; verify will catch it`)
  }
  const maxPending = spec.guards.maxPendingMutations
  if (maxPending !== undefined && live.pendingMutations > maxPending) {
    add('warning', 'pending-mutations', `${live.pendingMutations} mutations are pending on ${target.database}.${target.table} (guard maxPendingMutations: ${maxPending}): deletes wait until they drop`)
  }
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
