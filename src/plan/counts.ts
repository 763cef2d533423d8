import { unitCount } from './batches.js'
import type { PlanSpec } from './model.js'

/** The size of a plan, for `bf validate` and summaries. */
export interface PlanCounts {
  clusters: number
  /** Customer entries over all clusters: a customer on two clusters counts twice. */
  customers: number
  units: number
}

/** Counts without enumerating units, so it stays instant for plans of millions of units. */
export function planCounts(spec: PlanSpec): PlanCounts {
  return {
    clusters: spec.clusters.length,
    customers: spec.clusters.reduce((sum, cluster) => sum + cluster.customers.length, 0),
    units: unitCount(spec),
  }
}
