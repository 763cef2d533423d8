import type { ClusterSpec, PlanSpec, Window } from '../plan/model.js'
import { formatTimestamp } from '../plan/timestamp.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { DeleteRequest, Statement } from '../warehouse/warehouse.js'
import type { UnitDecision } from './decide-unit.js'
import { covers, mergeRanges, recordedRanges, spanOf } from './delete-ranges.js'
import { fingerprint } from './fingerprint.js'
import type { CustomerPlan, Emptying, PendingCustomer, RecordedDelete } from './plan-customer.js'
import { deleteReasons, emptiedBy, emptying, finishCustomer, sumRows } from './plan-customer.js'
import type { PlanMemo } from './plan-memo.js'
import type { PlannedStep } from './plan-model.js'
import { stepAddress } from './step-addresses.js'
import { deleteRequest, REVIEW_TAG } from './step-inputs.js'
import { awaitOf } from './window-delete.js'

/** A delete the state records at one of a cluster's delete addresses. */
interface RecordedClusterDelete extends RecordedDelete {
  awaitAddress: string
  record: StepRecord
  customers: Set<string>
}

/** The recorded deletes of a cluster (`c/delete`, `c/delete-2`, …) among `records`, with their awaits. */
function recordedClusterDeletes(cluster: string, records: ReadonlyMap<string, StepRecord>): RecordedClusterDelete[] {
  const found: RecordedClusterDelete[] = []
  for (const [address, record] of records) {
    const index = stepAddress.clusterDeleteIndex(cluster, address, 'delete')
    if (index === undefined) continue
    const awaitAddress = stepAddress.clusterStep(cluster, 'await-mutation', index)
    const customers = Array.isArray(record.inputs?.customers) ? record.inputs.customers.filter((id): id is string => typeof id === 'string') : []
    const ranges = record.status === 'succeeded' ? recordedRanges(record) : undefined
    const done = ranges ? { ranges, startedAt: record.startedAt, record } : undefined
    const awaited = records.get(awaitAddress)
    found.push({
      deleteAddress: address,
      awaitAddress,
      record,
      customers: new Set(customers),
      ...(done ? { done } : {}),
      awaitSucceeded: done !== undefined && awaited?.status === 'succeeded' && awaited.fingerprint === record.fingerprint && awaited.startedAt >= (record.finishedAt ?? record.startedAt),
    })
  }
  return found
}

/** What planning a cluster's deletes needs. */
export interface ClusterDeleteInput {
  spec: PlanSpec
  cluster: ClusterSpec
  /** The cluster's customers whose units wait on a cluster delete, in plan order. */
  pending: PendingCustomer[]
  /** The cluster's own recorded steps (its deletes and awaits). */
  records: ReadonlyMap<string, StepRecord>
  deleteStatement: (request: DeleteRequest) => Statement
  memo: PlanMemo
}

/** The cluster's delete and await steps (each with no dependency but the ones between them) and its customers' plans. */
export interface ClusterDeletes {
  steps: PlannedStep[]
  /** Steps with no dependency among them: they wait on the check and the canaries. */
  roots: string[]
  /** One plan per pending customer, in the same order. */
  plans: CustomerPlan[]
}

const NO_DELETE: RecordedDelete = { deleteAddress: '', awaitSucceeded: false }

/** The newest succeeded delete that removed `decision`'s batch of `customer`. */
function newestCovering(deletes: readonly RecordedClusterDelete[] | undefined, decision: UnitDecision): RecordedClusterDelete | undefined {
  let newest: RecordedClusterDelete | undefined
  for (const recorded of deletes ?? []) {
    if (!recorded.done || !covers(recorded.done.ranges, decision.unit.batch)) continue
    if (!newest?.done || recorded.done.startedAt > newest.done.startedAt) newest = recorded
  }
  return newest
}

/** Customers needing the same ranges deleted, in plan order: one delete (or one per `maxCustomers`) removes them all. */
interface RangeGroup {
  ranges: Window[]
  members: { pending: PendingCustomer; decisions: UnitDecision[] }[]
}

/**
 * Plans a cluster's deletes under `delete.per: cluster`. Each unit that needs its rows
 * deleted first (the same rule as per customer: see `emptying`) joins the delete of the
 * customers whose units need exactly the same ranges deleted — a first backfill is one
 * group, re-runs of a few days make one group per distinct set of days — so no delete ever
 * removes a row whose unit does not run. A group is cut into deletes of at most
 * `delete.maxCustomers` customers. A new delete takes the address of a recorded one with
 * the same identity (an interrupted apply resumes it), else the first address no unit
 * still relies on: a recorded delete whose units have not run their jobs since keeps its
 * record, which is what tells the next plan their rows are gone.
 */
export function planClusterDeletes(input: ClusterDeleteInput): ClusterDeletes {
  const { spec, cluster, pending, records } = input
  if (spec.delete === false) throw new Error('plan has no deletes')
  const recorded = recordedClusterDeletes(cluster.name, records)
  const inPlay = new Set(pending.map((customer) => customer.context.customer.id))
  const inUse = new Set<string>()
  const byCustomer = new Map<string, RecordedClusterDelete[]>()
  for (const remove of recorded) {
    for (const customer of remove.customers) {
      // A customer this plan does not look at may still rely on it.
      if (!inPlay.has(customer)) inUse.add(remove.deleteAddress)
      if (!remove.done) continue
      const list = byCustomer.get(customer)
      if (list) list.push(remove)
      else byCustomer.set(customer, [remove])
    }
  }

  // Per pending customer, beside its selected units: what each needs, and the delete it relies on.
  const needs: Emptying[][] = []
  const relying: (RecordedClusterDelete | undefined)[][] = []
  const groups = new Map<string, RangeGroup>()
  for (const customer of pending) {
    const deletes = byCustomer.get(customer.context.customer.id)
    customer.others.forEach((decision, index) => {
      const covering = newestCovering(deletes, decision)
      if (covering && emptiedBy(covering.done, decision, customer.otherJobEnds[index])) inUse.add(covering.deleteAddress)
    })
    const customerNeeds: Emptying[] = []
    const customerRelying: (RecordedClusterDelete | undefined)[] = []
    const toDelete: UnitDecision[] = []
    customer.selected.forEach((decision, index) => {
      const covering = newestCovering(deletes, decision)
      const need = emptying(decision, covering ?? NO_DELETE, customer.jobEnds[index])
      customerNeeds.push(need)
      customerRelying.push(need === 'recorded' ? covering : undefined)
      if (need === 'delete') toDelete.push(decision)
      if (need === 'recorded' && covering) inUse.add(covering.deleteAddress)
    })
    needs.push(customerNeeds)
    relying.push(customerRelying)
    if (toDelete.length === 0) continue
    const ranges = mergeRanges(toDelete.map((decision) => decision.unit.batch))
    const key = ranges.map((range) => `${range.start}-${range.end}`).join(',')
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { ranges, members: [] }))
    group.members.push({ pending: customer, decisions: toDelete })
  }

  const steps: PlannedStep[] = []
  const roots: string[] = []
  const taken = new Set<string>()
  const byFingerprint = new Map(recorded.map((remove) => [remove.record.fingerprint, remove]))
  const inFlight = new Set(recorded.filter((remove) => remove.record.status === 'started').map((remove) => remove.deleteAddress))
  let nextIndex = 1
  const freeIndex = (): number => {
    for (;; nextIndex++) {
      const address = stepAddress.clusterStep(cluster.name, 'delete', nextIndex)
      if (!taken.has(address) && !inUse.has(address) && !inFlight.has(address)) return nextIndex++
    }
  }
  const awaitOfCustomer = new Map<PendingCustomer, string>()
  const awaitOfDelete = new Map<string, string>()
  const maxCustomers = spec.delete.maxCustomers
  for (const { ranges, members } of groups.values()) {
    for (let first = 0; first < members.length; first += maxCustomers) {
      const chunk = members.slice(first, first + maxCustomers)
      const step = clusterDeleteStep(input, chunk.map((member) => member.pending.context.customer.id), ranges, chunk.flatMap((member) => member.decisions))
      const same = byFingerprint.get(step.fingerprint)
      const index = same && !taken.has(same.deleteAddress) ? stepAddress.clusterDeleteIndex(cluster.name, same.deleteAddress, 'delete') ?? freeIndex() : freeIndex()
      step.address = stepAddress.clusterStep(cluster.name, 'delete', index)
      taken.add(step.address)
      const awaited = awaitOf(step, stepAddress.clusterStep(cluster.name, 'await-mutation', index))
      awaited.dependsOn = [step.address]
      steps.push(step, awaited)
      roots.push(step.address)
      awaitOfDelete.set(step.address, awaited.address)
      // A customer's units that need a delete are all in this one: they need the same ranges.
      for (const member of chunk) awaitOfCustomer.set(member.pending, awaited.address)
    }
  }
  // Units emptied by a recorded delete wait for its mutation on every replica: a new delete at
  // its address, or the recorded delete's await, planned once.
  const plans = pending.map((customer, position) => {
    const customerNeeds = needs[position] ?? []
    const customerRelying = relying[position] ?? []
    const after = customerNeeds.map((need, index): string | undefined => {
      if (need === 'delete') return awaitOfCustomer.get(customer)
      const remove = customerRelying[index]
      if (!remove) return undefined
      const planned = awaitOfDelete.get(remove.deleteAddress)
      if (planned !== undefined) return planned
      if (remove.awaitSucceeded) return undefined
      const step = recordedClusterAwait(cluster.name, remove)
      steps.push(step)
      roots.push(step.address)
      awaitOfDelete.set(remove.deleteAddress, step.address)
      return step.address
    })
    return finishCustomer(customer, after, customerNeeds.map((need) => need === 'delete'))
  })
  return { steps, roots, plans }
}

/** The delete of `customers`' `ranges` (sorted, disjoint); its address is given by the caller. */
function clusterDeleteStep(input: ClusterDeleteInput, customers: string[], ranges: Window[], decisions: UnitDecision[]): PlannedStep & { fingerprint: string } {
  const { spec, cluster } = input
  const statement = input.deleteStatement(deleteRequest(spec, cluster, customers, ranges, REVIEW_TAG))
  const { tag: _tag, ...params } = statement.params
  const identity: Record<string, JsonValue> = {
    table: `${spec.target.database}.${spec.target.table}`,
    customerColumn: spec.target.customerColumn,
    timeColumn: spec.target.timeColumn,
    customers,
    ranges: ranges.map((range) => ({ start: formatTimestamp(range.start), end: formatTimestamp(range.end) })),
  }
  const rows = sumRows(decisions)
  const reasons = deleteReasons(decisions)
  return {
    address: '',
    kind: 'delete',
    dependsOn: [],
    cluster: cluster.name,
    customers,
    window: spanOf(ranges),
    ranges,
    ...(reasons.length > 0 ? { reasons } : {}),
    fingerprint: fingerprint(identity, input.memo.fingerprints),
    inputs: { ...identity, sql: statement.sql, params: params as Record<string, JsonValue>, settings: statement.settings as Record<string, JsonValue> },
    ...(rows === undefined ? {} : { estimatedRows: rows }),
  }
}

/** The await of a recorded cluster delete: it carries that delete's identity. */
function recordedClusterAwait(cluster: string, remove: RecordedClusterDelete): PlannedStep {
  const done = remove.done
  if (!done) throw new Error(`${remove.deleteAddress} has no recorded delete to wait for`)
  return {
    address: remove.awaitAddress,
    kind: 'await-mutation',
    dependsOn: [],
    cluster,
    customers: [...remove.customers],
    window: spanOf(done.ranges),
    ranges: done.ranges,
    fingerprint: remove.record.fingerprint,
    inputs: remove.record.inputs ?? {},
  }
}
