import type { JsonValue } from '../state/model.js'
import type { UnitDecision } from './decide-unit.js'
import type { PlannedStep, PlannedUnit } from './plan-model.js'
import { verifyInputs } from './step-inputs.js'
import { appendWindowDelete, windowDelete } from './window-delete.js'
import type { DeleteContext } from './window-delete.js'

/** The units and steps of one customer, before cluster-wide dependencies (check, canary) are added. */
export interface CustomerPlan {
  units: PlannedUnit[]
  steps: PlannedStep[]
  /** Steps with no dependency inside the customer: they wait on the check (and canaries). */
  roots: string[]
  /** Units outside the selection that a re-running delete would empty (the planner refuses). */
  deleteCovers: string[]
}

export interface CustomerContext extends DeleteContext {
  verifyFingerprint: string
}

const ORPHAN_ROWS = 'rows are live but no job of bf wrote them: the delete re-runs first'

/**
 * Units never run whose window holds rows: a delete that already ran must run again
 * before their jobs. Only once its mutation is known done: until then the rows may be
 * the ones it is still removing, and a second delete would be redundant.
 */
function orphansAfterDelete(decisions: UnitDecision[], deleteSettled: boolean, wanted: (decision: UnitDecision) => boolean): boolean {
  if (!deleteSettled) return false
  const orphans = decisions.filter((decision) => decision.orphanRows && wanted(decision))
  for (const decision of orphans) decision.reasons = [ORPHAN_ROWS]
  return orphans.length > 0
}

function reRunBecauseOfDelete(decision: UnitDecision, deleteAddress: string): void {
  if (decision.need === 'job') return
  decision.need = 'job'
  decision.action = 'replace'
  decision.reasons = [`because the delete of ${deleteAddress} re-runs`]
}

function toPlannedUnit(decision: UnitDecision): PlannedUnit {
  const { unit } = decision
  // Every member in the literal, absent ones as undefined: units of a large plan then share one shape and hold no overflow storage.
  return {
    address: unit.address,
    cluster: unit.cluster,
    customer: unit.customer,
    batch: unit.batch,
    action: decision.action,
    reasons: decision.reasons,
    live: decision.live,
    inputsDiff: decision.inputsDiff,
  }
}

function sumRows(decisions: UnitDecision[]): number | undefined {
  if (decisions.some((decision) => decision.live === undefined)) return undefined
  return decisions.reduce((total, decision) => total + (decision.live?.rows ?? 0), 0)
}

/** Which units a run covers: `inSelection` by address (`--target`, `--exclude`), `wanted` also by `--select`. */
export interface UnitFilter {
  inSelection(decision: UnitDecision): boolean
  wanted(decision: UnitDecision): boolean
}

/**
 * Plans one customer from its unit decisions: which deletes re-run (and so which units
 * re-run with them) and the steps in dependency order. A delete that re-runs over units
 * outside the selection is reported in `deleteCovers`.
 */
export function planCustomer(context: CustomerContext, decisions: UnitDecision[], filter: UnitFilter): CustomerPlan {
  const selected = filter.wanted
  const { spec, cluster, customer } = context
  const verify = verifyInputs(spec, customer.id)
  const steps: PlannedStep[] = []
  const roots: string[] = []
  const deleteCovers: string[] = []

  const jobAndVerify = (decision: UnitDecision, after: string | undefined): string => {
    const { unit, jobAddress, verifyAddress } = decision
    const window = context.memo.unitWindow(unit.batch)
    const unitStep = (address: string, kind: 'job' | 'verify', dependsOn: string[], fingerprint: string | undefined, inputs: Record<string, JsonValue>): PlannedStep => ({
      cluster: cluster.name,
      customer: customer.id,
      unit: unit.address,
      window,
      address,
      kind,
      dependsOn,
      inputs,
      fingerprint,
    })
    let verifyDeps: string[] = []
    if (decision.need === 'job') {
      steps.push(unitStep(jobAddress, 'job', after ? [after] : [], decision.jobFingerprint, decision.jobInputs))
      if (!after) roots.push(jobAddress)
      verifyDeps = [jobAddress]
    } else if (after) {
      verifyDeps = [after]
    }
    steps.push(unitStep(verifyAddress, 'verify', verifyDeps, context.verifyFingerprint, verify))
    if (verifyDeps.length === 0) roots.push(verifyAddress)
    return verifyAddress
  }

  if (spec.delete !== false && spec.delete.per === 'customer') {
    const planned = windowDelete(context, { per: 'customer', rows: sumRows(decisions) })
    const { deleteAddress } = planned
    const orphans = orphansAfterDelete(decisions, planned.deleteDone && planned.awaitSucceeded, selected)
    const deleteNeeded = !planned.deleteDone || orphans || decisions.some((d) => d.dirty && selected(d))
    const awaitNeeded = deleteNeeded || !planned.awaitSucceeded
    if (deleteNeeded) {
      for (const decision of decisions) {
        reRunBecauseOfDelete(decision, deleteAddress)
        if (!filter.inSelection(decision)) deleteCovers.push(decision.unit.address)
      }
    }
    const inPlay = decisions.filter((decision) => decision.need !== 'none' && (deleteNeeded || selected(decision)))
    if (inPlay.length === 0) return { units: decisions.filter(selected).map(toPlannedUnit), steps, roots, deleteCovers }
    const awaited = appendWindowDelete(planned, { delete: deleteNeeded, await: awaitNeeded }, undefined, { steps, roots })
    for (const decision of inPlay) jobAndVerify(decision, decision.need === 'job' ? awaited : undefined)
    const shown = decisions.filter((decision) => deleteNeeded || selected(decision))
    return { units: shown.map(toPlannedUnit), steps, roots, deleteCovers }
  }

  // Per batch (or no deletes): each unit stands alone; batches of a customer run in order.
  let previous: string | undefined
  const units: PlannedUnit[] = []
  for (const decision of decisions) {
    if (!selected(decision)) continue
    if (spec.delete !== false) {
      const planned = windowDelete(context, { per: 'batch', unit: decision.unit.address, window: decision.unit.batch, rows: decision.live?.rows })
      const settled = planned.deleteDone && planned.awaitSucceeded
      const deleteNeeded = decision.dirty || !planned.deleteDone || orphansAfterDelete([decision], settled, selected)
      if (deleteNeeded) reRunBecauseOfDelete(decision, planned.deleteAddress)
      const awaitNeeded = deleteNeeded || (decision.need === 'job' && !planned.awaitSucceeded)
      const after = appendWindowDelete(planned, { delete: deleteNeeded, await: awaitNeeded }, previous, { steps, roots })
      units.push(toPlannedUnit(decision))
      if (decision.need !== 'none') previous = jobAndVerify(decision, after)
      continue
    }
    units.push(toPlannedUnit(decision))
    if (decision.need !== 'none') jobAndVerify(decision, undefined)
  }
  return { units, steps, roots, deleteCovers }
}
