import { splitAddress } from '../plan/address.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, CustomerDiscovery, CustomerSpec, PlanSpec } from '../plan/model.js'
import { byCustomerFromSnapshot } from '../state/read-by-customer.js'
import { StateOrderError } from '../state/state-order-error.js'
import type { StateByCustomer, StateStore } from '../state/store.js'
import type { DiscoveryRequest } from '../warehouse/warehouse.js'
import type { EngineDeps } from './deps.js'

/** What one discovering cluster's customers are this time, against the state. */
export interface DiscoveredCustomers {
  cluster: string
  /** `data`: found by the cluster's discovery; `state`: planned without refresh, the customers with steps in the state. */
  source: 'data' | 'state'
  /** Customers planned on the cluster. */
  found: number
  /** Found, with no step in the state. */
  new: string[]
  /** With steps in the state, not found now: forgotten like a customer removed from a list. */
  gone: string[]
}

/** Customer ids with steps in the state, by cluster (from the keys of the state's customer groups). */
export type RecordedCustomers = ReadonlyMap<string, ReadonlySet<string>>

/** The customers a state has steps of, by cluster: one pass over its group keys. */
export async function recordedCustomers(state: StateByCustomer): Promise<Map<string, Set<string>>> {
  const recorded = new Map<string, Set<string>>()
  for await (const group of state.groups()) noteGroup(recorded, group.key)
  return recorded
}

/** `recordedCustomers` of a store's state; a snapshot not laid out as bf writes it is read whole instead. */
export async function recordedCustomersIn(store: StateStore): Promise<Map<string, Set<string>>> {
  try {
    return await recordedCustomers(await store.readByCustomer())
  } catch (error) {
    if (!(error instanceof StateOrderError)) throw error
    return recordedCustomers(byCustomerFromSnapshot(await store.read()))
  }
}

/** Adds the customer of a group key (`cluster/customer/`) to `recorded`; cluster-level groups name none. */
export function noteGroup(recorded: Map<string, Set<string>>, key: string): void {
  if (!key.endsWith('/')) return
  const [cluster = '', customer = ''] = splitAddress(key.slice(0, -1))
  let customers = recorded.get(cluster)
  if (!customers) recorded.set(cluster, (customers = new Set()))
  customers.add(customer)
}

function discoveryRequest(spec: PlanSpec, discover: CustomerDiscovery): DiscoveryRequest {
  const { source, window, exclude } = discover
  if ('query' in source) return { source: { query: source.query }, window, exclude }
  const { target, expected } = spec
  const table =
    source.from === 'expected' && expected
      ? { database: expected.database, table: expected.table, timeColumn: expected.timeColumn, customerColumn: expected.customerColumn }
      : { database: target.database, table: target.readTable, timeColumn: target.timeColumn, customerColumn: target.customerColumn }
  return { source: { table, minRows: source.minRows }, window, exclude }
}

function customersOf(discover: CustomerDiscovery, ids: readonly string[]): CustomerSpec[] {
  const own = new Map(discover.windows.map((customer) => [customer.id, customer.window]))
  return ids.map((id) => ({ id, window: own.get(id) ?? discover.window }))
}

/** Discovery that counts the target's rows, which bf's own deletes remove. */
const readsTarget = (discover: CustomerDiscovery): boolean => 'from' in discover.source && discover.source.from === 'target'

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The plan with each discovering cluster's customers filled in, as the planner plans
 * it: with refresh, what each cluster's discovery finds now (one query per cluster, the
 * clusters at once); without, the customers the state has steps of there. Clusters that
 * list their customers are kept as they are. `spec` itself is not changed.
 */
export async function resolveCustomers(spec: PlanSpec, deps: EngineDeps, refresh: boolean, recorded: () => Promise<RecordedCustomers>): Promise<PlanSpec> {
  if (!spec.clusters.some((cluster) => cluster.discover)) return spec
  const needsState = !refresh || spec.clusters.some((cluster) => cluster.discover && readsTarget(cluster.discover))
  const inState = needsState ? await recorded() : undefined
  const clusters = await Promise.all(
    spec.clusters.map(async (cluster): Promise<ClusterSpec> => {
      const { discover } = cluster
      if (!discover) return cluster
      const excluded = new Set(discover.exclude)
      const recordedHere = [...(inState?.get(cluster.name) ?? [])].filter((id) => !excluded.has(id))
      let ids: string[]
      if (!refresh) {
        ids = recordedHere.sort(byId)
      } else {
        ids = await (await deps.warehouse(cluster.name)).discoverCustomers(discoveryRequest(spec, discover))
        // bf's own deletes empty a customer's window of the target until its jobs have run:
        // a customer bf has worked on is kept, or an interrupted apply would forget it.
        if (readsTarget(discover)) ids = [...new Set([...ids, ...recordedHere])].sort(byId)
      }
      return { ...cluster, customers: customersOf(discover, ids) }
    }),
  )
  return { ...spec, clusters }
}

/** Each discovering cluster's found, new and gone customers, once planning has seen which customers the state holds. */
export function discoveredCustomers(spec: PlanSpec, refresh: boolean, recorded: RecordedCustomers): DiscoveredCustomers[] {
  return spec.clusters.flatMap((cluster) => {
    if (!cluster.discover) return []
    const inState = recorded.get(cluster.name) ?? new Set<string>()
    const found = new Set(cluster.customers.map((customer) => customer.id))
    return [
      {
        cluster: cluster.name,
        source: refresh ? 'data' : 'state',
        found: found.size,
        new: [...found].filter((id) => !inState.has(id)),
        gone: [...inState].filter((id) => !found.has(id)).sort(byId),
      },
    ]
  })
}

const NAMES_SHOWN = 5

/** `a, b, c and 7 more` */
export function someNames(ids: readonly string[], shown = NAMES_SHOWN): string {
  const names = ids.slice(0, shown).map((id) => JSON.stringify(id)).join(', ')
  return ids.length > shown ? `${names} and ${ids.length - shown} more` : names
}

/**
 * What discovery tells the reviewer beyond the counts: customers gone since the state
 * (forgotten), a plan made from the state's list, and canary or check customers that no
 * cluster has (they could not be checked when the plan loaded).
 */
export function discoveryWarnings(spec: PlanSpec, discovered: readonly DiscoveredCustomers[]): Diagnostic[] {
  const warnings: Diagnostic[] = []
  for (const entry of discovered) {
    if (entry.source === 'state') {
      warnings.push({
        severity: 'warning',
        code: 'customers-from-state',
        address: entry.cluster,
        message: `planned the ${entry.found} customer(s) the state has steps of, not discovered again (--refresh=false)`,
        hint: 'customers that appeared in the data since are planned by bf plan with refresh',
      })
    }
    if (entry.gone.length > 0) {
      warnings.push({
        severity: 'warning',
        code: 'customers-gone',
        address: entry.cluster,
        message: `${entry.gone.length === 1 ? 'customer' : `${entry.gone.length} customers`} ${someNames(entry.gone)} ${entry.gone.length === 1 ? 'is' : 'are'} no longer found: ${entry.gone.length === 1 ? 'its' : 'their'} steps are forgotten, like a customer removed from a list`,
        hint: 'to keep backfilling a customer the data no longer shows, list the cluster\'s customers by hand',
      })
    }
  }
  const known = new Set(spec.clusters.flatMap((cluster) => cluster.customers.map((customer) => customer.id)))
  const named: [string, readonly string[]][] = [['rollout.canary', spec.rollout.canary], ...spec.verify.checks.map((check): [string, readonly string[]] => [`verify check ${check.name}`, check.customers ?? []])]
  for (const [where, ids] of named) {
    const unknown = ids.filter((id) => !known.has(id))
    if (unknown.length === 0) continue
    warnings.push({
      severity: 'warning',
      code: 'unknown-customer',
      message: `${where} names ${someNames(unknown)}, which no cluster has: ${unknown.length === 1 ? 'it has' : 'they have'} no effect`,
      hint: 'check the ids against what discovery found',
    })
  }
  return warnings
}
