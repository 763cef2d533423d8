import type { PlanSpec } from '../plan/model.js'
import { countedColumnsProblem } from '../warehouse/table-rules.js'
import type { TargetDescription } from '../warehouse/warehouse.js'

/** Something about the plan's tables on one cluster that a user must know before apply. */
export interface TargetProblem {
  /** As a plan diagnostic: an error refuses the apply. */
  severity: 'error' | 'warning'
  code: string
  message: string
  /** The check step fails on it: deletes and jobs would fail or harm the table. */
  failsCheck: boolean
}

/** Column names a sorting key expression mentions (`toStartOfHour(t), agent` → t, agent). */
export function columnsInKey(sortingKey: string): string[] {
  const names: string[] = []
  for (const match of sortingKey.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    if (match[2] === undefined && match[1] !== undefined) names.push(match[1])
  }
  return [...new Set(names)]
}

function mutableSortKey(spec: PlanSpec, sortingKey: string): string[] {
  const stable = new Set([...spec.target.keyColumns, spec.target.customerColumn])
  return columnsInKey(sortingKey)
    .filter((column) => !stable.has(column))
    .map((column) => (column === spec.target.timeColumn ? `${column} (the time column)` : column))
}

/**
 * The problems of the plan's tables on `cluster`, from one description of them. Pure: the
 * plan shows them as diagnostics, and the check step fails on those with `failsCheck`.
 */
export function targetProblems(spec: PlanSpec, cluster: string, described: TargetDescription): TargetProblem[] {
  const found: TargetProblem[] = []
  const add = (severity: TargetProblem['severity'], code: string, failsCheck: boolean, message: string): void => {
    found.push({ severity, code, message, failsCheck })
  }
  const { target, expected } = spec
  const facts = described.target
  const table = `${target.database}.${target.table}`
  if (!facts) {
    add('error', 'target-missing', true, `table ${table} does not exist on ${cluster}`)
    return found
  }
  if (facts.engine === 'Distributed' && spec.delete !== false) {
    add('error', 'distributed-target', true, `${table} is a Distributed table: deletes must go to the local table (set target.table to it and target.readTable to ${target.table})`)
  }
  const columns = countedColumnsProblem({ database: target.database, table: target.table, timeColumn: target.timeColumn, customerColumn: target.customerColumn, keyColumns: target.keyColumns }, facts, 'target')
  if (columns) add('error', 'target-columns', true, columns)
  if (!described.readTable) add('warning', 'read-table-missing', true, `read table ${target.database}.${target.readTable} does not exist on ${cluster}: counts and verify cannot run`)
  if (expected && !described.expectedTable) add('warning', 'expected-table-missing', false, `expected table ${expected.database}.${expected.table} does not exist on ${cluster}`)
  const mutable = facts.sortingKey ? mutableSortKey(spec, facts.sortingKey) : []
  if (mutable.length > 0) {
    add(
      'warning',
      'mutable-sort-key',
      false,
      `the sorting key of ${facts.database}.${facts.table} (${facts.sortingKey}) holds ${mutable.join(', ')}, not among keyColumns: ` +
        'a re-inserted row whose values changed gets a new sort key and the stale row stays, even with FINAL; ' +
        (spec.delete === false ? 'with delete: false nothing removes it, and verify reports it as a duplicate' : 'the delete before each job removes it'),
    )
  }
  if (facts.engine.startsWith('Replicated') && spec.job.kind !== 'sql') {
    add('warning', 'replicated-dedup', false, `${table} is ${facts.engine}: it drops an inserted block identical to a recent one, so a job bf does not control may see re-inserted rows vanish; verify will catch it`)
  }
  const maxPending = spec.guards.maxPendingMutations
  if (maxPending !== undefined && spec.delete !== false && described.pendingMutations > maxPending) {
    add('warning', 'pending-mutations', true, `${described.pendingMutations} mutations are pending on ${table} (guard maxPendingMutations: ${maxPending}): deletes wait until they drop`)
  }
  return found
}
