import type { JsonValue, StepRecord } from '../state/model.js'
import type { UnitDecision } from './decide-unit.js'
import type { PlannedStep, PlannedUnit } from './plan-model.js'
import { verifyInputs } from './step-inputs.js'
import { covers, mergeRanges } from './delete-ranges.js'
import { hasNoData } from './judge-figures.js'
import { appendWindowDelete, awaitOf, deleteStep, recordedDeleteAwait, windowDelete } from './window-delete.js'
import type { DeleteContext, DoneDelete, WindowDelete } from './window-delete.js'

/** The units and steps of one customer, before cluster-wide dependencies (check, canary) are added. */
export interface CustomerPlan {
  units: PlannedUnit[]
  steps: PlannedStep[]
  /** Steps with no dependency inside the customer: they wait on the check (and canaries). */
  roots: string[]
  /** Refresh found no data for any unit of the customer (see `hasNoData`): likely a wrong customer id. */
  noData: boolean
}

export interface CustomerContext extends DeleteContext {
  verifyFingerprint: string
}

const ORPHAN_ROWS = 'rows are live but no job of bf wrote them: they are deleted first'
const ROWS_BACK = 'rows are live again since the delete removed them: they are deleted again first'

/** What a unit's job waits for: a new delete of its rows, the recorded delete that already removed them, or nothing. */
export type Emptying = 'delete' | 'recorded' | 'none'

/**
 * What planning needs of a unit's recorded job: undefined when none is recorded, `''` while
 * an attempt is under way (or its end was not recorded), else when it last finished.
 */
export type JobEnd = string | undefined

export function jobEndOf(decision: UnitDecision, steps: ReadonlyMap<string, StepRecord>): JobEnd {
  const job = steps.get(decision.jobAddress)
  if (!job) return undefined
  return job.status !== 'started' && job.finishedAt !== undefined ? job.finishedAt : ''
}

/** The recorded delete removed the unit's rows after its job last ran (or it never ran): the job must run. */
export function emptiedBy(done: DoneDelete | undefined, decision: UnitDecision, jobEnd: JobEnd): boolean {
  if (!done || !covers(done.ranges, decision.unit.batch)) return false
  if (jobEnd === undefined) return true
  return jobEnd !== '' && jobEnd <= done.startedAt
}

/** A recorded delete as `emptying` weighs it: what it removed, and whether its await succeeded. */
export type RecordedDelete = Pick<WindowDelete, 'done' | 'awaitSucceeded' | 'deleteAddress'>

/**
 * What a selected unit needs before its job. A delete covers only units whose job runs
 * and whose rows are stale (never run by bf, changed inputs, drift, a failed verify) and
 * that no recorded delete emptied since their job last ran. A unit such a delete emptied
 * runs its job whatever its figures say; its rows are deleted again only when rows came
 * back after the mutation finished (while it runs they may be the rows it is removing).
 */
export function emptying(decision: UnitDecision, planned: RecordedDelete, jobEnd: JobEnd): Emptying {
  const hasJob = jobEnd !== undefined
  if (emptiedBy(planned.done, decision, jobEnd)) {
    if (decision.need !== 'job') {
      decision.need = 'job'
      decision.action = 'replace'
      decision.reasons = [`its rows were deleted by ${planned.deleteAddress} and its job has not run since`]
    } else {
      decision.reasons = [...decision.reasons, `its rows are already deleted (${planned.deleteAddress})`]
    }
    if (planned.awaitSucceeded && (decision.live?.rows ?? 0) > 0) {
      decision.reasons = [hasJob ? ROWS_BACK : ORPHAN_ROWS]
      return 'delete'
    }
    return 'recorded'
  }
  if (decision.need !== 'job') return 'none'
  return !hasJob || decision.dirty ? 'delete' : 'none'
}

export function toPlannedUnit(decision: UnitDecision, deletedFirst: boolean): PlannedUnit {
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
    deletedFirst,
  }
}

export function sumRows(decisions: UnitDecision[]): number | undefined {
  if (decisions.some((decision) => decision.live === undefined)) return undefined
  return decisions.reduce((total, decision) => total + (decision.live?.rows ?? 0), 0)
}

/** Which units a run covers: `inSelection` by address (`--target`, `--exclude`), `wanted` also by `--select`. */
export interface UnitFilter {
  inSelection(decision: UnitDecision): boolean
  wanted(decision: UnitDecision): boolean
}

/** Why a delete runs: its units' reasons, each once, in the order of the units. */
export function deleteReasons(decisions: UnitDecision[]): string[] {
  const reasons = new Set<string>()
  for (const decision of decisions) reasons.add(decision.reasons[0] ?? 'not run yet')
  return [...reasons]
}

const labelSpan = (units: UnitDecision[]): string => {
  const first = units[0]?.unit.batch.label ?? ''
  const last = units[units.length - 1]?.unit.batch.label ?? ''
  return first === last ? first : `${first} … ${last}`
}

/**
 * New units of a customer whose other units bf already ran: the reviewer sees that the
 * window grew, by which batches, and that only they run.
 */
export function explainNewUnits(customer: string, decisions: UnitDecision[], steps: ReadonlyMap<string, StepRecord>): void {
  const known = decisions.filter((decision) => steps.has(decision.jobAddress))
  const first = known[0]
  const last = known[known.length - 1]
  if (!first || !last) return
  const fresh = decisions.filter((decision) => decision.action === 'create' && decision.reasons.length === 0 && !steps.has(decision.jobAddress))
  const earlier = fresh.filter((decision) => decision.unit.batch.end <= first.unit.batch.start)
  const later = fresh.filter((decision) => decision.unit.batch.start >= last.unit.batch.end)
  const grew = (units: UnitDecision[]): string[] => [`new: the window of ${customer} grew by ${labelSpan(units)}`]
  const earlierReasons = grew(earlier)
  const laterReasons = grew(later)
  const inside = [`new in the window of ${customer}`]
  const before = first.unit.batch.start
  const after = last.unit.batch.end
  for (const decision of fresh) {
    const { batch } = decision.unit
    decision.reasons = batch.end <= before ? earlierReasons : batch.start >= after ? laterReasons : inside
  }
}

/** Appends a unit's job (when it runs) after `after` and its verify; returns the verify's address. */
function appendUnitSteps(context: CustomerContext, decision: UnitDecision, after: string | undefined, into: { steps: PlannedStep[]; roots: string[] }): string {
  const { cluster, customer } = context
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
    into.steps.push(unitStep(jobAddress, 'job', after ? [after] : [], decision.jobFingerprint, decision.jobInputs))
    if (!after) into.roots.push(jobAddress)
    verifyDeps = [jobAddress]
  } else if (after) {
    verifyDeps = [after]
  }
  into.steps.push(unitStep(verifyAddress, 'verify', verifyDeps, context.verifyFingerprint, verifyInputs(context.spec, customer.id)))
  if (verifyDeps.length === 0) into.roots.push(verifyAddress)
  return verifyAddress
}

const NO_STEPS: ReadonlyMap<string, StepRecord> = new Map()

/** A customer of a `delete.per: cluster` plan, decided, waiting for its cluster's deletes to be planned. */
export interface PendingCustomer {
  /** Without the customer's recorded steps: they are let go once decided. */
  context: CustomerContext
  /** The selected units' decisions, in order, and what each one's recorded job says. */
  selected: UnitDecision[]
  jobEnds: JobEnd[]
  /** The units not selected (`--target`, `--select`) whose rows a recorded delete may have removed, with their jobs. */
  others: UnitDecision[]
  otherJobEnds: JobEnd[]
  noData: boolean
}

/** The first half of `planCustomer` for a cluster's delete: each unit decided, and what its recorded job says. */
export function decideCustomer(context: CustomerContext, decisions: UnitDecision[], filter: UnitFilter): PendingCustomer {
  const pending: PendingCustomer = { context: { ...context, steps: NO_STEPS }, selected: [], jobEnds: [], others: [], otherJobEnds: [], noData: false }
  pending.noData = decisions.length > 0 && decisions.every((decision) => decision.live !== undefined && hasNoData(decision.live))
  // Arrays beside the decisions rather than maps keyed by them: a plan can hold a million units.
  for (const decision of decisions) {
    const wanted = filter.wanted(decision)
    ;(wanted ? pending.selected : pending.others).push(decision)
    ;(wanted ? pending.jobEnds : pending.otherJobEnds).push(jobEndOf(decision, context.steps))
  }
  explainNewUnits(context.customer.id, pending.selected, context.steps)
  return pending
}

/** The second half: each selected unit's job after what empties it (`after`, by position in `selected`), and its verify. */
export function finishCustomer(pending: PendingCustomer, after: readonly (string | undefined)[], deleted: readonly boolean[]): CustomerPlan {
  const into = { steps: [] as PlannedStep[], roots: [] as string[] }
  const units: PlannedUnit[] = []
  pending.selected.forEach((decision, index) => {
    if (decision.need !== 'none') appendUnitSteps(pending.context, decision, decision.need === 'job' ? after[index] : undefined, into)
    units.push(toPlannedUnit(decision, deleted[index] === true))
  })
  return { units, steps: into.steps, roots: into.roots, noData: pending.noData }
}

/**
 * Plans one customer from its unit decisions: which units re-run, which of their rows a
 * delete removes first (the units that need it, contiguous ones merged into ranges), and
 * the steps in dependency order. Units outside `filter` are neither run nor deleted.
 */
export function planCustomer(context: CustomerContext, decisions: UnitDecision[], filter: UnitFilter): CustomerPlan {
  const selected = decisions.filter(filter.wanted)
  const { spec, customer, steps: records } = context
  const steps: PlannedStep[] = []
  const roots: string[] = []
  const deleted = new Set<UnitDecision>()
  const noData = decisions.length > 0 && decisions.every((decision) => decision.live !== undefined && hasNoData(decision.live))
  explainNewUnits(customer.id, selected, records)

  const jobAndVerify = (decision: UnitDecision, after: string | undefined): string => appendUnitSteps(context, decision, after, { steps, roots })

  /** The delete and await that run before `emptied`'s jobs, appended after `after`. */
  const appendDeletes = (planned: WindowDelete, needs: Map<UnitDecision, Emptying>, after: string | undefined): string | undefined => {
    const toDelete = [...needs].filter(([, need]) => need === 'delete').map(([decision]) => decision)
    const relying = [...needs].filter(([, need]) => need === 'recorded').map(([decision]) => decision)
    let remove: PlannedStep | undefined
    if (toDelete.length > 0) {
      // Units the recorded delete emptied ride along: the new record then still says their rows are gone.
      const covered = [...toDelete, ...relying]
      const ranges = mergeRanges(covered.map((decision) => decision.unit.batch))
      remove = deleteStep(context, planned, ranges, { rows: sumRows(toDelete), reasons: deleteReasons(toDelete) })
      for (const decision of covered) deleted.add(decision)
    }
    const awaited = remove ? awaitOf(remove, planned.awaitAddress) : relying.length > 0 && !planned.awaitSucceeded ? recordedDeleteAwait(planned, context) : undefined
    return appendWindowDelete({ delete: remove, await: awaited }, after, { steps, roots })
  }

  if (spec.delete !== false && (spec.delete.per === 'customer' || spec.delete.per === 'cluster')) {
    const planned = windowDelete(context, { per: 'customer' })
    const needs = new Map(selected.map((decision) => [decision, emptying(decision, planned, jobEndOf(decision, records))]))
    const inPlay = selected.filter((decision) => decision.need !== 'none')
    if (inPlay.length > 0) {
      const awaited = appendDeletes(planned, needs, undefined)
      for (const decision of inPlay) jobAndVerify(decision, decision.need === 'job' ? awaited : undefined)
    }
    return { units: selected.map((decision) => toPlannedUnit(decision, deleted.has(decision))), steps, roots, noData }
  }

  // Per batch (or no deletes): each unit stands alone; batches of a customer run in order.
  let previous: string | undefined
  const units: PlannedUnit[] = []
  for (const decision of selected) {
    let after = previous
    if (spec.delete !== false) {
      const planned = windowDelete(context, { per: 'batch', unit: decision.unit.address })
      after = appendDeletes(planned, new Map([[decision, emptying(decision, planned, jobEndOf(decision, records))]]), previous)
    }
    units.push(toPlannedUnit(decision, deleted.has(decision)))
    if (decision.need !== 'none') previous = jobAndVerify(decision, after)
  }
  return { units, steps, roots, noData }
}
