import { errorMessage } from '../common/error-text.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, PlanSpec } from '../plan/model.js'
import { formatSize } from '../plan/size.js'
import type { Warehouse } from '../warehouse/warehouse.js'
import type { PlannedStep } from './plan-model.js'

/** `rewritten`, or `marked` for a lightweight delete (it masks rows; merges drop them later). */
export function rewriteVerb(spec: PlanSpec): 'rewritten' | 'marked' {
  return spec.delete !== false && spec.delete.mode === 'lightweight' ? 'marked' : 'rewritten'
}

/** ` on each replica` when the cluster has replicas: every one holds and rewrites its own copy of the parts. */
export function perReplica(cluster: ClusterSpec): string {
  return cluster.clickhouse.cluster === undefined ? '' : ' on each replica'
}

/** Beyond this many deletes on one cluster (per batch, over many customers and days), estimating would read the window again for each thousand. */
const MAX_ESTIMATED = 10_000

/**
 * Sets `rewrite` on each delete of a cluster, from one query over the data (see
 * `Warehouse.rewriteEstimate`), and returns what the plan should say of it: with deletes
 * per customer that rewrite the same parts, how much one delete per cluster would spare.
 */
export async function estimateRewrites(spec: PlanSpec, cluster: ClusterSpec, warehouse: Warehouse, steps: readonly PlannedStep[]): Promise<Diagnostic[]> {
  const deletes = steps.filter((step) => step.kind === 'delete')
  if (deletes.length === 0 || spec.delete === false) return []
  if (deletes.length > MAX_ESTIMATED) {
    const message = `the parts the deletes rewrite are not estimated: ${deletes.length.toLocaleString('en-US')} deletes, more than ${MAX_ESTIMATED.toLocaleString('en-US')}`
    return [{ severity: 'warning', code: 'rewrite-unknown', address: cluster.name, message, hint: 'deletes per customer or per cluster are fewer, and estimated' }]
  }
  let answer
  try {
    answer = await warehouse.rewriteEstimate({
      target: spec.target,
      deletes: deletes.map((step) => ({ customers: step.customers ?? (step.customer === undefined ? [] : [step.customer]), ranges: step.ranges ?? (step.window ? [step.window] : []) })),
    })
  } catch (error) {
    return [{ severity: 'warning', code: 'rewrite-unknown', address: cluster.name, message: `the parts the deletes rewrite could not be estimated: ${errorMessage(error)}` }]
  }
  deletes.forEach((step, index) => {
    const figures = answer.deletes[index]
    if (figures) step.rewrite = figures
  })
  const total = answer.deletes.reduce((sum, figures) => ({ parts: sum.parts + figures.parts, bytes: sum.bytes + figures.bytes }), { parts: 0, bytes: 0 })
  const { union } = answer
  if (spec.delete.per !== 'customer' || deletes.length < 2 || total.parts <= union.parts) return []
  const times = total.parts / union.parts
  const verb = rewriteVerb(spec)
  return [
    {
      severity: 'warning',
      code: 'shared-parts',
      address: cluster.name,
      message:
        `per customer: ${union.parts.toLocaleString('en-US')} parts ${verb} ${times.toFixed(times < 10 ? 1 : 0).replace(/\.0$/, '')} times = ${formatSize(total.bytes)}; ` +
        `per cluster: ${formatSize(union.bytes)}${perReplica(cluster)}`,
      hint: `delete.per: cluster removes every customer's rows in one delete, so each part is ${verb} once; each customer's window then stays empty from that delete until its own jobs ran, for the last customers most of the backfill`,
    },
  ]
}
