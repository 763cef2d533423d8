import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, PlanSpec } from '../plan/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import type { PlannedStep } from './plan-model.js'
import { formatSize } from '../plan/size.js'
import { deletesOverGuard, rewritesOverGuard } from './large-deletes.js'
import { rewriteVerb } from './rewrite-estimate.js'
import { targetProblems } from './target-problems.js'

const NAMES_SHOWN = 5

/**
 * Customers of a cluster with no data over their whole window (nothing in the expected
 * table; without one, nothing in the target): most often a customer id with a typo. An
 * error under `verify.requireData`.
 */
export function noDataWarning(spec: PlanSpec, cluster: ClusterSpec, customers: string[]): Diagnostic | undefined {
  if (customers.length === 0) return undefined
  const table = spec.expected ? `${spec.expected.database}.${spec.expected.table}` : `${spec.target.database}.${spec.target.readTable}`
  const names = customers.slice(0, NAMES_SHOWN).map((customer) => JSON.stringify(customer)).join(', ')
  const more = customers.length > NAMES_SHOWN ? ` and ${customers.length - NAMES_SHOWN} more` : ''
  const one = customers.length === 1
  return {
    severity: spec.verify.requireData ? 'error' : 'warning',
    code: 'no-data',
    address: cluster.name,
    message: `${one ? 'customer' : `${customers.length} customers`} ${names}${more} ${one ? 'has' : 'have'} no rows in ${table} over ${one ? 'its' : 'their'} window`,
    hint: spec.verify.requireData
      ? 'check the customer ids, or remove them from the plan (verify.requireData is true)'
      : 'check the customer ids; verify reports their units as "no data" (verify.requireData: true makes this an error)',
  }
}

/** Warnings (and errors) the live figures of one cluster raise about the plan. */
export function clusterWarnings(spec: PlanSpec, cluster: ClusterSpec, live: LiveFigures, steps: PlannedStep[]): Diagnostic[] {
  const found: Diagnostic[] = targetProblems(spec, cluster.name, live).map(({ severity, code, message }) => ({ severity, code, address: cluster.name, message }))
  if (!live.target) return found
  for (const { step, rows, max } of deletesOverGuard(spec, steps, cluster.name)) {
    found.push({
      severity: 'warning',
      code: 'large-delete',
      address: step.address,
      message: `deletes ~${rows.toLocaleString('en-US')} rows, above guards.maxDeleteRows (${max.toLocaleString('en-US')}): apply refuses unless --allow-large-delete`,
    })
  }
  for (const { step, bytes, max } of rewritesOverGuard(spec, steps, cluster.name)) {
    found.push({
      severity: 'warning',
      code: 'large-rewrite',
      address: step.address,
      message: `${rewriteVerb(spec) === 'marked' ? 'marks' : 'rewrites'} ${formatSize(bytes)} of parts, above guards.maxRewriteBytes (${formatSize(max)}): apply refuses unless --allow-large-delete`,
    })
  }
  return found
}
