import { splitAddress } from '../plan/address.js'
import { batchLabel } from '../plan/batches.js'
import type { PlanSpec } from '../plan/model.js'
import type { StepRecord } from '../state/model.js'

function labelStart(label: string): number {
  return Date.parse(label.length === 10 ? `${label}T00:00:00Z` : `${label}:00:00Z`)
}

/** Whether `cluster/customer/label` is a unit of the plan file. */
function unitPlanned(spec: PlanSpec, parts: string[]): boolean {
  const cluster = spec.clusters.find((candidate) => candidate.name === parts[0])
  const customer = cluster?.customers.find((candidate) => candidate.id === parts[1])
  if (!customer) return false
  const label = parts[2] ?? ''
  const start = labelStart(label)
  if (Number.isNaN(start) || batchLabel(start, spec.batch) !== label) return false
  if ((start - spec.batch.origin) % spec.batch.stepMs !== 0) return false
  return start + spec.batch.stepMs > customer.window.start && start < customer.window.end
}

/** Whether a recorded cluster- or customer-level step still belongs to the plan. */
function stepPlanned(spec: PlanSpec, parts: string[]): boolean {
  const cluster = spec.clusters.find((candidate) => candidate.name === parts[0])
  if (!cluster) return false
  if (parts.length === 2) return parts[1] === 'check'
  const perCustomer = spec.delete !== false && spec.delete.per === 'customer'
  if (parts.length === 3) {
    return perCustomer && (parts[2] === 'delete' || parts[2] === 'await-mutation') && cluster.customers.some((customer) => customer.id === parts[1])
  }
  const kind = parts[3]
  return kind === 'job' || kind === 'verify' || (spec.delete !== false && !perCustomer && (kind === 'delete' || kind === 'await-mutation'))
}

/**
 * Recorded steps that no longer belong to the plan: `units` maps each unit gone from the
 * plan file to its recorded steps; `others` lists steps whose unit or customer remains
 * but which the plan no longer has (a delete after `per` changed, a removed cluster's check).
 */
export function orphanedSteps(spec: PlanSpec, steps: Map<string, StepRecord>): { units: Map<string, string[]>; others: string[] } {
  const units = new Map<string, string[]>()
  const others: string[] = []
  for (const address of steps.keys()) {
    const parts = splitAddress(address)
    if (parts.length === 4 && !unitPlanned(spec, parts)) {
      const unit = address.split('/').slice(0, 3).join('/')
      units.set(unit, [...(units.get(unit) ?? []), address])
    } else if (!stepPlanned(spec, parts)) {
      others.push(address)
    }
  }
  return { units, others }
}
