import { joinAddress, splitAddress } from '../../plan/address.js'
import { batchesOf, unitsOfCustomer } from '../../plan/batches.js'
import type { ClusterSpec, CustomerSpec, PlanSpec } from '../../plan/model.js'
import type { StepRecord } from '../../state/model.js'
import { byCustomerFromSnapshot } from '../../state/read-by-customer.js'
import { StateOrderError } from '../../state/state-order-error.js'
import type { StateByCustomer } from '../../state/store.js'
import type { LiveFigures } from '../../warehouse/warehouse.js'
import { decideUnit } from '../decide-unit.js'
import type { EngineDeps } from '../deps.js'
import { fingerprint } from '../fingerprint.js'
import { PlanMemo } from '../plan-memo.js'
import { verifyInputs } from '../step-inputs.js'
import { stepAddress } from '../step-addresses.js'
import { deletesOf, sharedDeletesOf } from './delete-report.js'
import { emptyTotals } from './model.js'
import type { ReportCluster, ReportCustomer, ReportCustomerDeletes, ReportModel } from './model.js'
import { estimateRemaining, RecordedSpan } from './pace.js'
import { reportUnit } from './unit-report.js'
import { recordedCustomersIn, resolveCustomers } from '../resolve-customers.js'

export interface ReportOptions {
  /** False: from the state alone, no ClickHouse queries (no drift is seen then). */
  refresh: boolean
  /** The report's time (now by default). */
  now?: number
}

interface Building {
  spec: PlanSpec
  memo: PlanMemo
  applying: boolean
  span: RecordedSpan
  liveOf(cluster: string): Promise<LiveFigures | undefined>
}

const NO_STEPS: ReadonlyMap<string, StepRecord> = new Map()

const customerKey = (cluster: ClusterSpec, customer: CustomerSpec): string => `${joinAddress(cluster.name, customer.id)}/`

interface CustomerPart {
  customer: ReportCustomer
  deletes: ReportCustomerDeletes
}

async function customerPart(building: Building, cluster: ClusterSpec, customer: CustomerSpec, steps: ReadonlyMap<string, StepRecord>): Promise<CustomerPart> {
  const { spec, memo } = building
  const live = await building.liveOf(cluster.name)
  const verifyFingerprint = fingerprint(verifyInputs(spec, customer.id), memo.fingerprints)
  const context = { spec, steps, verifyFingerprint, memo, ...(live ? { live } : {}) }
  const units = []
  // Forward whatever the rollout order: columns read left to right in time.
  for (const unit of unitsOfCustomer({ ...spec, rollout: { ...spec.rollout, order: 'forward' } }, cluster, customer, memo.batches)) {
    units.push(reportUnit(decideUnit(unit, context), steps, building.applying))
  }
  building.span.add(steps)
  return { customer: { id: customer.id, window: customer.window, units }, deletes: { customer: customer.id, deletes: deletesOf(steps, building.applying) } }
}

function clusterBatches(spec: PlanSpec, cluster: ClusterSpec): ReportCluster['batches'] {
  if (cluster.customers.length === 0) return []
  const start = Math.min(...cluster.customers.map((customer) => customer.window.start))
  const end = Math.max(...cluster.customers.map((customer) => customer.window.end))
  return [...batchesOf({ start, end }, spec.batch)].map((batch) => ({ label: batch.label, start: spec.batch.origin + Math.floor((batch.start - spec.batch.origin) / spec.batch.stepMs) * spec.batch.stepMs }))
}

async function clustersFrom(building: Building, state: StateByCustomer): Promise<ReportCluster[]> {
  const { spec } = building
  const parts = new Map<string, CustomerPart>()
  const planned = new Map<string, { cluster: ClusterSpec; customer: CustomerSpec }>()
  for (const cluster of spec.clusters) for (const customer of cluster.customers) planned.set(customerKey(cluster, customer), { cluster, customer })
  // `delete.per: cluster`: a cluster's own delete and await steps, each a group of its own.
  const clusterSteps = new Map<string, Map<string, StepRecord>>()
  for await (const group of state.groups()) {
    const target = planned.get(group.key)
    if (target) parts.set(group.key, await customerPart(building, target.cluster, target.customer, group.steps))
    const [cluster = '', last = ''] = splitAddress(group.key)
    if (!target && stepAddress.isClusterDeletePart(last)) {
      const steps = clusterSteps.get(cluster) ?? new Map<string, StepRecord>()
      for (const [address, record] of group.steps) steps.set(address, record)
      clusterSteps.set(cluster, steps)
    }
  }
  const clusters: ReportCluster[] = []
  for (const cluster of spec.clusters) {
    const report: ReportCluster = { name: cluster.name, batches: clusterBatches(spec, cluster), customers: [], deletes: [], totals: emptyTotals() }
    const shared = sharedDeletesOf(clusterSteps.get(cluster.name) ?? NO_STEPS, building.applying)
    for (const customer of cluster.customers) {
      // A customer with nothing recorded has no group in the state.
      const part = parts.get(customerKey(cluster, customer)) ?? (await customerPart(building, cluster, customer, NO_STEPS))
      report.customers.push(part.customer)
      const deletes = [...(shared.get(customer.id) ?? []), ...part.deletes.deletes]
      if (deletes.length > 0) report.deletes.push({ customer: customer.id, deletes })
      for (const unit of part.customer.units) report.totals[unit.status]++
    }
    clusters.push(report)
  }
  return clusters
}

/**
 * What `bf report` shows: every unit's status, figures and run, every customer's deletes,
 * and the totals, from the state (read a customer at a time, through the state store's
 * interface) and, unless `refresh` is false, the live figures of one grouped refresh per
 * cluster, as planning reads them. Read-only.
 */
export async function buildReport(file: PlanSpec, deps: EngineDeps, options: ReportOptions): Promise<ReportModel> {
  const now = options.now ?? Date.now()
  // Discovering clusters show what discovery finds now, or without refresh the customers the state has.
  const spec = await resolveCustomers(file, deps, options.refresh, () => recordedCustomersIn(deps.state))
  const refreshes = new Map<string, Promise<LiveFigures | undefined>>()
  for (const cluster of spec.clusters) {
    const refresh = options.refresh && cluster.customers.length > 0 ? refreshCluster(spec, deps, cluster) : Promise.resolve(undefined)
    refresh.catch(() => undefined)
    refreshes.set(cluster.name, refresh)
  }
  const lock = await deps.state.lockHolder()
  const building = (): Building => ({
    spec,
    memo: new PlanMemo(),
    applying: lock !== undefined,
    span: new RecordedSpan(),
    liveOf: (cluster) => refreshes.get(cluster) ?? Promise.resolve(undefined),
  })
  let state = await deps.state.readByCustomer()
  let current = building()
  let clusters: ReportCluster[]
  try {
    clusters = await clustersFrom(current, state)
  } catch (error) {
    if (!(error instanceof StateOrderError)) throw error
    // A snapshot edited by hand: read whole instead.
    state = byCustomerFromSnapshot(await deps.state.read())
    current = building()
    clusters = await clustersFrom(current, state)
  }
  const totals = emptyTotals()
  for (const cluster of clusters) for (const [status, count] of Object.entries(cluster.totals)) totals[status as keyof typeof totals] += count
  const { first, last } = current.span
  const end = lock ? now : last
  const etaMs = estimateRemaining(clusters, spec.job.concurrency)
  return {
    plan: { name: spec.name, description: spec.description, file: spec.source.file },
    state: { lineage: state.lineage || null, serial: state.serial },
    ...(lock ? { lock } : {}),
    ...(last === undefined ? {} : { lastRecorded: new Date(last).toISOString() }),
    recent: current.span.recent.map((record) => ({
      address: record.address,
      status: record.status,
      at: record.finishedAt ?? record.startedAt,
      ...(record.error === undefined ? {} : { error: record.error }),
    })),
    madeAt: new Date(now).toISOString(),
    refreshed: options.refresh,
    batch: { text: spec.batch.text, stepMs: spec.batch.stepMs },
    deletes: spec.delete !== false,
    totals,
    ...(first !== undefined && end !== undefined ? { elapsedMs: Math.max(0, end - first) } : {}),
    ...(etaMs === undefined ? {} : { etaMs }),
    clusters,
  }
}

async function refreshCluster(spec: PlanSpec, deps: EngineDeps, cluster: ClusterSpec): Promise<LiveFigures> {
  const warehouse = await deps.warehouse(cluster.name)
  return warehouse.refresh({ target: spec.target, ...(spec.expected ? { expected: spec.expected } : {}), customers: cluster.customers, grid: spec.batch })
}
