import { joinAddress, splitAddress } from '../plan/address.js'
import { batchesOf, batchLabel } from '../plan/batches.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { CustomerSpec, PlanSpec } from '../plan/model.js'
import type { StepRecord } from '../state/model.js'

function labelStart(label: string): number {
  return Date.parse(label.length === 10 ? `${label}T00:00:00Z` : `${label}:00:00Z`)
}

/** The plan's clusters and customers by name, and batch labels already read: a state can hold a million steps. */
interface PlanIndex {
  spec: PlanSpec
  customers: Map<string, Map<string, CustomerSpec>>
  /** Label → start of its batch on the grid, or undefined when it is not a batch label of the grid. */
  labels: Map<string, number | undefined>
}

function planIndex(spec: PlanSpec): PlanIndex {
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
  if (!customer) return false
  const start = batchStart(index, parts[2] ?? '')
  if (start === undefined) return false
  return start + index.spec.batch.stepMs > customer.window.start && start < customer.window.end
}

/** Whether a recorded cluster- or customer-level step still belongs to the plan. */
function stepPlanned(index: PlanIndex, parts: string[]): boolean {
  const { spec } = index
  const customers = index.customers.get(parts[0] ?? '')
  if (!customers) return false
  if (parts.length === 2) return parts[1] === 'check'
  const perCustomer = spec.delete !== false && spec.delete.per === 'customer'
  if (parts.length === 3) {
    return perCustomer && (parts[2] === 'delete' || parts[2] === 'await-mutation') && customers.has(parts[1] ?? '')
  }
  return unitStepPlanned(spec, parts[3] ?? '')
}

/** Whether a unit of the plan has steps of `kind`. */
function unitStepPlanned(spec: PlanSpec, kind: string): boolean {
  if (kind === 'job' || kind === 'verify') return true
  return spec.delete !== false && spec.delete.per !== 'customer' && (kind === 'delete' || kind === 'await-mutation')
}

/**
 * Recorded steps that no longer belong to the plan: `units` maps each unit gone from the
 * plan file to its recorded steps; `others` lists steps whose unit or customer remains
 * but which the plan no longer has (a delete after `per` changed, a removed cluster's check).
 */
export function orphanedSteps(spec: PlanSpec, steps: ReadonlyMap<string, StepRecord>): { units: Map<string, string[]>; others: string[] } {
  const index = planIndex(spec)
  const units = new Map<string, string[]>()
  const others: string[] = []
  const orphan = (unit: string, address: string): void => {
    const known = units.get(unit)
    if (known) known.push(address)
    else units.set(unit, [address])
  }
  // The steps of a unit follow one another in the state: the last unit's verdict is reused.
  let lastUnit = ''
  let lastUnitPlanned = false
  for (const address of steps.keys()) {
    if (lastUnit !== '' && address.startsWith(lastUnit) && address.indexOf('/', lastUnit.length) === -1) {
      const kind = address.slice(lastUnit.length)
      if (!lastUnitPlanned) orphan(lastUnit.slice(0, -1), address)
      else if (!unitStepPlanned(spec, kind)) others.push(address)
      continue
    }
    // Only a part holding `%` has anything to decode.
    const parts = address.includes('%') ? splitAddress(address) : address.split('/')
    if (parts.length === 4) {
      const unitPlannedNow = unitPlanned(index, parts)
      lastUnit = address.slice(0, address.lastIndexOf('/') + 1)
      lastUnitPlanned = unitPlannedNow
      if (!unitPlannedNow) orphan(lastUnit.slice(0, -1), address)
      else if (!unitStepPlanned(spec, parts[3] ?? '')) others.push(address)
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
    const window = record?.inputs?.window as { start?: unknown; end?: unknown } | undefined
    const customer = record?.inputs?.customer
    if (record?.kind !== 'delete' || typeof customer !== 'string' || typeof window?.start !== 'string' || typeof window.end !== 'string') continue
    const cluster = splitAddress(address)[0] ?? ''
    const batches = [...batchesOf({ start: Date.parse(window.start), end: Date.parse(window.end) }, spec.batch)]
    const unfinished = batches.filter((batch) => steps.get(`${joinAddress(cluster, customer, batch.label)}/job`)?.status !== 'succeeded')
    if (unfinished.length === 0) continue
    warnings.push({
      severity: 'warning',
      code: 'forget-deleted-rows',
      address,
      message:
        `${record.status === 'succeeded' ? 'deleted' : 'may have deleted'} the rows of ${customer} from ${window.start} to ${window.end}, ` +
        `and ${unfinished.length} of ${batches.length} unit(s) never had their job succeed (${unfinished[0]?.label}${unfinished.length > 1 ? ' …' : ''}): ` +
        'forgetting them leaves those rows deleted',
      hint: `to finish instead, put ${customer} back in the plan file and apply`,
    })
  }
  return warnings
}
