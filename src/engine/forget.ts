import { joinAddress, splitAddress } from '../plan/address.js'
import { batchesOf, batchLabel } from '../plan/batches.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { CustomerSpec, PlanSpec } from '../plan/model.js'
import { formatTimestamp } from '../plan/timestamp.js'
import type { StepRecord } from '../state/model.js'
import { recordedRanges, spanOf } from './delete-ranges.js'
import { stepAddress } from './step-addresses.js'

function labelStart(label: string): number {
  return Date.parse(label.length === 10 ? `${label}T00:00:00Z` : `${label}:00:00Z`)
}

/** The plan's clusters and customers by name, and batch labels already read: a state can hold a million steps. */
export interface PlanIndex {
  spec: PlanSpec
  customers: Map<string, Map<string, CustomerSpec>>
  /** Label → start of its batch on the grid, or undefined when it is not a batch label of the grid. */
  labels: Map<string, number | undefined>
}

/** Made once per plan: `orphanedSteps` is called for every customer's steps. */
export function planIndex(spec: PlanSpec): PlanIndex {
  const customers = new Map<string, Map<string, CustomerSpec>>()
  for (const cluster of spec.clusters) {
    if (customers.has(cluster.name)) continue
    const byId = new Map<string, CustomerSpec>()
    for (const customer of cluster.customers) if (!byId.has(customer.id)) byId.set(customer.id, customer)
    customers.set(cluster.name, byId)
  }
  return { spec, customers, labels: new Map() }
}

function batchStart(index: PlanIndex, label: string): number | undefined {
  if (index.labels.has(label)) return index.labels.get(label)
  const { batch } = index.spec
  const start = labelStart(label)
  const valid = !Number.isNaN(start) && batchLabel(start, batch) === label && (start - batch.origin) % batch.stepMs === 0
  index.labels.set(label, valid ? start : undefined)
  return valid ? start : undefined
}

/** Whether `cluster/customer/label` is a unit of the plan file. */
function unitPlanned(index: PlanIndex, parts: string[]): boolean {
  const customer = index.customers.get(parts[0] ?? '')?.get(parts[1] ?? '')
  return customer !== undefined && labelInWindow(index, customer, parts[2] ?? '')
}

/** Whether `label` names a batch of `customer`'s window. */
function labelInWindow(index: PlanIndex, customer: CustomerSpec, label: string): boolean {
  const start = batchStart(index, label)
  if (start === undefined) return false
  return start + index.spec.batch.stepMs > customer.window.start && start < customer.window.end
}

/** Whether a recorded cluster- or customer-level step still belongs to the plan. */
function stepPlanned(index: PlanIndex, parts: string[]): boolean {
  const { spec } = index
  const customers = index.customers.get(parts[0] ?? '')
  if (!customers) return false
  const per = spec.delete === false ? undefined : spec.delete.per
  // A cluster's deletes stay recorded while the plan deletes per cluster: units may rely on them.
  if (parts.length === 2) return parts[1] === 'check' || (per === 'cluster' && stepAddress.isClusterDeletePart(parts[1] ?? ''))
  if (parts.length === 3) {
    // Under `per: cluster`, canaries delete on their own.
    const perCustomer = per === 'customer' || (per === 'cluster' && spec.rollout.canary.includes(parts[1] ?? ''))
    return perCustomer && (parts[2] === 'delete' || parts[2] === 'await-mutation') && customers.has(parts[1] ?? '')
  }
  return unitStepPlanned(spec, parts[3] ?? '')
}

/** Whether a unit of the plan has steps of `kind`. */
function unitStepPlanned(spec: PlanSpec, kind: string): boolean {
  if (kind === 'job' || kind === 'verify') return true
  return spec.delete !== false && spec.delete.per === 'batch' && (kind === 'delete' || kind === 'await-mutation')
}

/**
 * Recorded steps that no longer belong to the plan: `units` maps each unit gone from the
 * plan file to its recorded steps; `others` lists steps whose unit or customer remains
 * but which the plan no longer has (a delete after `per` changed, a removed cluster's check).
 */
export function orphanedSteps(index: PlanIndex, steps: ReadonlyMap<string, StepRecord>): { units: Map<string, string[]>; others: string[] } {
  const { spec } = index
  const units = new Map<string, string[]>()
  const others: string[] = []
  const orphan = (unit: string, address: string): void => {
    const known = units.get(unit)
    if (known) known.push(address)
    else units.set(unit, [address])
  }
  const unitStep = (unit: string, planned: boolean, kind: string, address: string): void => {
    if (!planned) orphan(unit, address)
    else if (!unitStepPlanned(spec, kind)) others.push(address)
  }
  // A customer's steps, and a unit's, follow one another in the state: the last customer
  // and the last unit are reused rather than read from each address again.
  let lastCustomerPrefix = ''
  let lastCustomer: CustomerSpec | undefined
  let lastUnit = ''
  let lastUnitPlanned = false
  for (const address of steps.keys()) {
    if (lastUnit !== '' && address.startsWith(lastUnit) && address.indexOf('/', lastUnit.length) === -1) {
      unitStep(lastUnit.slice(0, -1), lastUnitPlanned, address.slice(lastUnit.length), address)
      continue
    }
    if (lastCustomerPrefix !== '' && address.startsWith(lastCustomerPrefix) && !address.includes('%', lastCustomerPrefix.length)) {
      const slash = address.indexOf('/', lastCustomerPrefix.length)
      if (slash !== -1 && address.indexOf('/', slash + 1) === -1) {
        lastUnit = address.slice(0, slash + 1)
        lastUnitPlanned = lastCustomer !== undefined && labelInWindow(index, lastCustomer, address.slice(lastCustomerPrefix.length, slash))
        unitStep(lastUnit.slice(0, -1), lastUnitPlanned, address.slice(slash + 1), address)
        continue
      }
    }
    // Only a part holding `%` has anything to decode.
    const parts = address.includes('%') ? splitAddress(address) : address.split('/')
    if (parts.length === 4) {
      lastUnit = address.slice(0, address.lastIndexOf('/') + 1)
      lastUnitPlanned = unitPlanned(index, parts)
      lastCustomerPrefix = address.slice(0, address.indexOf('/', address.indexOf('/') + 1) + 1)
      lastCustomer = index.customers.get(parts[0] ?? '')?.get(parts[1] ?? '')
      unitStep(lastUnit.slice(0, -1), lastUnitPlanned, parts[3] ?? '', address)
    } else if (!stepPlanned(index, parts)) {
      others.push(address)
    }
  }
  return { units, others }
}

/**
 * A delete forgotten before every job of its window succeeded: the rows it removed are
 * not coming back. Forgetting is still what the plan file asks for; the warning says
 * what it costs and how to finish instead.
 */
export function forgottenDeleteWarnings(spec: PlanSpec, steps: ReadonlyMap<string, StepRecord>, forgotten: readonly string[]): Diagnostic[] {
  const warnings: Diagnostic[] = []
  for (const address of forgotten) {
    const record = steps.get(address)
    const customer = record?.inputs?.customer
    if (record?.kind !== 'delete' || typeof customer !== 'string') continue
    const cluster = splitAddress(address)[0] ?? ''
    const warning = deletedRowsWarning(spec, address, record, customer, (label) => steps.get(`${joinAddress(cluster, customer, label)}/job`)?.status === 'succeeded', () => true)
    if (warning) warnings.push(warning)
  }
  return warnings
}

/** Batch labels whose job succeeded, by customer group (`cluster/customer/`). */
export type SucceededJobs = Map<string, Set<string>>

/**
 * Notes the batches whose job succeeded of a customer no longer in the plan file (what
 * `removedFromClusterDeleteWarnings` needs once the cluster's deletes are read).
 */
export function noteRemovedCustomerJobs(index: PlanIndex, key: string, steps: ReadonlyMap<string, StepRecord>, into: SucceededJobs): void {
  if (!key.endsWith('/')) return
  const [cluster = '', customer = ''] = splitAddress(key.slice(0, -1))
  if (index.customers.get(cluster)?.has(customer)) return
  const succeeded = new Set<string>()
  for (const [address, record] of steps) {
    if (record.kind === 'job' && record.status === 'succeeded') succeeded.add(splitAddress(address)[2] ?? '')
  }
  into.set(key, succeeded)
}

/**
 * The same for a delete of a cluster's customers together (`delete.per: cluster`), which
 * stays planned while any of its customers is: each customer of its record no longer in
 * the plan file whose units in its ranges did not all have their job succeed.
 */
export function removedFromClusterDeleteWarnings(index: PlanIndex, records: ReadonlyMap<string, StepRecord>, succeededJobs: SucceededJobs, selected: (unit: string) => boolean): Diagnostic[] {
  const warnings: Diagnostic[] = []
  for (const [address, record] of records) {
    const customers = record.inputs?.customers
    if (record.kind !== 'delete' || !Array.isArray(customers)) continue
    const cluster = splitAddress(address)[0] ?? ''
    for (const customer of customers) {
      if (typeof customer !== 'string' || index.customers.get(cluster)?.has(customer)) continue
      const succeeded = succeededJobs.get(`${joinAddress(cluster, customer)}/`)
      const warning = deletedRowsWarning(index.spec, address, record, customer, (label) => succeeded?.has(label) === true, (label) => selected(joinAddress(cluster, customer, label)))
      if (warning) warnings.push(warning)
    }
  }
  return warnings
}

/** `forget-deleted-rows` for one customer of a recorded delete, unless every selected unit in its ranges had its job succeed. */
function deletedRowsWarning(
  spec: PlanSpec,
  address: string,
  record: StepRecord,
  customer: string,
  succeeded: (label: string) => boolean,
  selected: (label: string) => boolean,
): Diagnostic | undefined {
  const ranges = recordedRanges(record)
  if (!ranges) return undefined
  const span = spanOf(ranges)
  const window = { start: formatTimestamp(span.start), end: formatTimestamp(span.end) }
  const batches = ranges.flatMap((range) => [...batchesOf(range, spec.batch)])
  const unfinished = batches.filter((batch) => !succeeded(batch.label) && selected(batch.label))
  if (unfinished.length === 0) return undefined
  return {
    severity: 'warning',
    code: 'forget-deleted-rows',
    address,
    message:
      `${record.status === 'succeeded' ? 'deleted' : 'may have deleted'} the rows of ${customer} from ${window.start} to ${window.end}, ` +
      `and ${unfinished.length} of ${batches.length} unit(s) never had their job succeed (${unfinished[0]?.label}${unfinished.length > 1 ? ' …' : ''}): ` +
      'forgetting them leaves those rows deleted',
    hint: `to finish instead, put ${customer} back in the plan file and apply`,
  }
}
