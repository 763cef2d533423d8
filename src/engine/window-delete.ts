import { formatTimestamp } from '../plan/timestamp.js'
import type { ClusterSpec, CustomerSpec, PlanSpec, Window } from '../plan/model.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { DeleteRequest, Statement } from '../warehouse/warehouse.js'
import { recordedRanges, spanOf } from './delete-ranges.js'
import { fingerprint } from './fingerprint.js'
import type { PlanMemo } from './plan-memo.js'
import type { PlannedStep } from './plan-model.js'
import { deleteRequest, REVIEW_TAG } from './step-inputs.js'
import { stepAddress } from './step-addresses.js'

/** What building a customer's deletes needs: the plan, the customer, and its recorded steps. */
export interface DeleteContext {
  spec: PlanSpec
  cluster: ClusterSpec
  customer: CustomerSpec
  steps: ReadonlyMap<string, StepRecord>
  deleteStatement: (request: DeleteRequest) => Statement
  /** The plan's shared values. */
  memo: PlanMemo
}

/** Whose delete: one per customer (`delete.per: customer`) or one per unit (`per: batch`). */
export type DeleteScope = { per: 'customer' } | { per: 'batch'; unit: string }

/** The recorded delete that succeeded: what it removed and when it started. */
export interface DoneDelete {
  ranges: Window[]
  startedAt: string
  record: StepRecord
}

/**
 * The delete and await addresses of one scope with what the state records of them. The
 * planner decides which ranges a new delete covers (`deleteStep`) and which steps run
 * (`appendWindowDelete`).
 */
export interface WindowDelete {
  scope: DeleteScope
  deleteAddress: string
  awaitAddress: string
  /** The last delete recorded at this address, when it succeeded. */
  done?: DoneDelete
  /** The await recorded for that same delete succeeded: its rows are gone on every replica. */
  awaitSucceeded: boolean
}

/** The delete and await of `scope`, and what the state has of them. */
export function windowDelete(context: DeleteContext, scope: DeleteScope): WindowDelete {
  const { cluster, customer, steps } = context
  const deleteAddress = scope.per === 'customer' ? stepAddress.customerStep(cluster.name, customer.id, 'delete') : stepAddress.unitStep(scope.unit, 'delete')
  const awaitAddress = scope.per === 'customer' ? stepAddress.customerStep(cluster.name, customer.id, 'await-mutation') : stepAddress.unitStep(scope.unit, 'await-mutation')
  const recorded = steps.get(deleteAddress)
  const ranges = recorded?.status === 'succeeded' ? recordedRanges(recorded) : undefined
  const done = recorded && ranges ? { ranges, startedAt: recorded.startedAt, record: recorded } : undefined
  const awaited = steps.get(awaitAddress)
  return {
    scope,
    deleteAddress,
    awaitAddress,
    ...(done ? { done } : {}),
    // An await of the same rows recorded before this delete ran waited for an earlier mutation.
    awaitSucceeded: done !== undefined && awaited?.status === 'succeeded' && awaited.fingerprint === done.record.fingerprint && awaited.startedAt >= (done.record.finishedAt ?? done.startedAt),
  }
}

/**
 * The delete step removing `ranges` (sorted, disjoint) at `planned`'s address. What rows
 * are deleted defines it (table, columns, customer, ranges); its settings and mode do not.
 */
export function deleteStep(
  context: DeleteContext,
  planned: WindowDelete,
  ranges: Window[],
  details: { rows: number | undefined; reasons: string[] },
): PlannedStep & { fingerprint: string } {
  const { spec, cluster, customer } = context
  const statement = context.deleteStatement(deleteRequest(spec, cluster, customer.id, ranges, REVIEW_TAG))
  const { tag: _tag, ...params } = statement.params
  const identity: Record<string, JsonValue> = {
    table: `${spec.target.database}.${spec.target.table}`,
    customerColumn: spec.target.customerColumn,
    timeColumn: spec.target.timeColumn,
    customer: customer.id,
    ranges: ranges.map((range) => ({ start: formatTimestamp(range.start), end: formatTimestamp(range.end) })),
  }
  return {
    address: planned.deleteAddress,
    kind: 'delete',
    dependsOn: [],
    cluster: cluster.name,
    customer: customer.id,
    ...(planned.scope.per === 'batch' ? { unit: planned.scope.unit } : {}),
    window: spanOf(ranges),
    ranges,
    ...(details.reasons.length > 0 ? { reasons: details.reasons } : {}),
    fingerprint: fingerprint(identity, context.memo.fingerprints),
    inputs: { ...identity, sql: statement.sql, params, settings: statement.settings as Record<string, JsonValue> },
    ...(details.rows === undefined ? {} : { estimatedRows: details.rows }),
  }
}

/** The await of the delete the state records as done: it carries that delete's identity. */
export function recordedDeleteAwait(planned: WindowDelete, context: DeleteContext): PlannedStep {
  const done = planned.done
  if (!done) throw new Error(`${planned.deleteAddress} has no recorded delete to wait for`)
  const { cluster, customer } = context
  return {
    address: planned.awaitAddress,
    kind: 'await-mutation',
    dependsOn: [],
    cluster: cluster.name,
    customer: customer.id,
    ...(planned.scope.per === 'batch' ? { unit: planned.scope.unit } : {}),
    window: spanOf(done.ranges),
    ranges: done.ranges,
    fingerprint: done.record.fingerprint,
    inputs: done.record.inputs ?? {},
  }
}

/**
 * Appends the delete (when one runs) and the await (when one runs: of that delete, else of
 * the recorded one), chained after `after` (a step of the same customer, or none: then the
 * first appended is a root). Returns the last step appended, or `after` when neither runs.
 */
export function appendWindowDelete(
  runs: { delete?: PlannedStep; await?: PlannedStep },
  after: string | undefined,
  into: { steps: PlannedStep[]; roots: string[] },
): string | undefined {
  let last = after
  const append = (step: PlannedStep): void => {
    step.dependsOn = last ? [last] : []
    into.steps.push(step)
    if (!last) into.roots.push(step.address)
    last = step.address
  }
  if (runs.delete) append(runs.delete)
  if (runs.await) append(runs.await)
  return last
}

/** The await of a delete planned now: it carries the delete's identity (fingerprint, inputs) and waits for that mutation. */
export function awaitOf(step: PlannedStep, awaitAddress: string): PlannedStep {
  const { estimatedRows: _rows, reasons: _reasons, ...rest } = step
  return { ...rest, address: awaitAddress, kind: 'await-mutation' }
}
