import { splitAddress } from '../plan/address.js'
import { STEP_KINDS } from '../state/model.js'
import type { StepKind } from '../state/model.js'
import type { ClusterSummary, PlannedStep, PlannedUnit, PlanSummary, UnplannedSteps } from './plan-model.js'


const kindOrder = (kind: string): number => {
  const index = STEP_KINDS.indexOf(kind as StepKind)
  return index === -1 ? STEP_KINDS.length : index
}

function clusterSummary(summaries: Map<string, ClusterSummary>, cluster: string): ClusterSummary {
  let summary = summaries.get(cluster)
  if (!summary) summaries.set(cluster, (summary = { cluster, create: 0, replace: 0, noOp: 0, forget: 0, forgetSteps: 0, unplannedSteps: 0, unplanned: [] }))
  return summary
}

/** The unit an address of a unit step lies under (`c/x/2026-01-01/job` → `c/x/2026-01-01`), else undefined. */
function unitOfAddress(address: string): string | undefined {
  const slashes = address.split('/').length - 1
  return slashes === 3 ? address.slice(0, address.lastIndexOf('/')) : undefined
}

/** Groups unplanned step addresses (sorted) by cluster and customer, counting each kind. */
function addUnplanned(summaries: Map<string, ClusterSummary>, addresses: string[]): void {
  let open: { key: string; group: UnplannedSteps; kinds: Map<string, number> } | undefined
  const close = (): void => {
    if (!open) return
    open.group.kinds = [...open.kinds].sort((a, b) => kindOrder(a[0]) - kindOrder(b[0])).map(([kind, count]) => ({ kind, count }))
  }
  for (const address of addresses) {
    const parts = splitAddress(address)
    const cluster = parts[0] ?? ''
    const customer = parts.length > 2 ? parts[1] : undefined
    const key = `${cluster}\u0000${customer ?? ''}`
    const kind = parts.at(-1) ?? ''
    if (open?.key !== key) {
      close()
      const group: UnplannedSteps = { ...(customer === undefined ? {} : { customer }), kinds: [], first: address, last: address }
      clusterSummary(summaries, cluster).unplanned.push(group)
      open = { key, group, kinds: new Map() }
    }
    open.group.last = address
    clusterSummary(summaries, cluster).unplannedSteps++
    open.kinds.set(kind, (open.kinds.get(kind) ?? 0) + 1)
  }
  close()
}

/**
 * Counts what a plan does: units by action (per cluster too), steps by kind, rows to
 * delete, and the state records apply removes, with those that belong to no forgotten
 * unit grouped by customer so that every view can show them.
 */
export function summarizePlan(units: readonly PlannedUnit[], steps: readonly PlannedStep[], forgetSteps: readonly string[]): PlanSummary {
  const summary: PlanSummary = { create: 0, replace: 0, noOp: 0, forget: 0, steps: {}, rowsToDelete: 0, forgetSteps: forgetSteps.length, hasChanges: false, clusters: [] }
  const clusters = new Map<string, ClusterSummary>()
  const forgottenUnits = new Set<string>()
  for (const unit of units) {
    const cluster = clusterSummary(clusters, unit.cluster)
    if (unit.action === 'no-op') {
      summary.noOp++
      cluster.noOp++
      continue
    }
    summary[unit.action]++
    cluster[unit.action]++
    if (unit.action === 'forget') forgottenUnits.add(unit.address)
  }
  for (const step of steps) {
    summary.steps[step.kind] = (summary.steps[step.kind] ?? 0) + 1
    if (step.kind === 'delete') summary.rowsToDelete += step.estimatedRows ?? 0
    if (step.kind === 'delete' && step.rewrite) {
      const total = (summary.rewrite ??= { parts: 0, rows: 0, bytes: 0 })
      total.parts += step.rewrite.parts
      total.rows += step.rewrite.rows
      total.bytes += step.rewrite.bytes
    }
  }
  const unplanned: string[] = []
  for (const address of forgetSteps) {
    clusterSummary(clusters, splitAddress(address)[0] ?? '').forgetSteps++
    const unit = unitOfAddress(address)
    if (unit === undefined || !forgottenUnits.has(unit)) unplanned.push(address)
  }
  addUnplanned(clusters, unplanned)
  summary.clusters = [...clusters.values()]
  summary.hasChanges = steps.length > 0 || forgetSteps.length > 0 || summary.create + summary.replace + summary.forget > 0
  return summary
}
