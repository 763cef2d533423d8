import { formatTimestamp } from '../plan/timestamp.js'
import type { ClusterSpec, CustomerSpec, PlanSpec, Window } from '../plan/model.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { DeleteRequest, Statement } from '../warehouse/warehouse.js'
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

/** The window one delete covers: a whole customer (`delete.per: customer`) or one unit's batch. */
export type DeleteScope = { per: 'customer'; rows: number | undefined } | { per: 'batch'; unit: string; window: Window; rows: number | undefined }

/**
 * The delete of one window and the await of its mutation, before the planner decides which
 * of them run. `appendWindowDelete` adds those that do, with their `dependsOn`.
 */
export interface WindowDelete {
  deleteAddress: string
  awaitAddress: string
  deleteStep: PlannedStep & { fingerprint: string }
  /** The recorded delete succeeded with the same fingerprint. */
  deleteDone: boolean
  /** The recorded await succeeded. */
  awaitSucceeded: boolean
}

function deleteStep(context: DeleteContext, address: string, window: Window, rows: number | undefined): PlannedStep & { fingerprint: string } {
  const { spec, cluster, customer } = context
  const statement = context.deleteStatement(deleteRequest(spec, cluster, customer.id, window, REVIEW_TAG))
  const { tag: _tag, ...params } = statement.params
  // What rows are deleted defines the delete; its settings and mode do not.
  const identity: Record<string, JsonValue> = {
    table: `${spec.target.database}.${spec.target.table}`,
    customerColumn: spec.target.customerColumn,
    timeColumn: spec.target.timeColumn,
    customer: customer.id,
    window: { start: formatTimestamp(window.start), end: formatTimestamp(window.end) },
  }
  return {
    address,
    kind: 'delete',
    dependsOn: [],
    cluster: cluster.name,
    customer: customer.id,
    window,
    fingerprint: fingerprint(identity, context.memo.fingerprints),
    inputs: { ...identity, sql: statement.sql, params, settings: statement.settings as Record<string, JsonValue> },
    ...(rows === undefined ? {} : { estimatedRows: rows }),
  }
}

/** The delete step of `scope`, its await's address, and whether the state has them done. */
export function windowDelete(context: DeleteContext, scope: DeleteScope): WindowDelete {
  const { cluster, customer } = context
  const customerScope = scope.per === 'customer'
  const deleteAddress = customerScope ? stepAddress.customerStep(cluster.name, customer.id, 'delete') : stepAddress.unitStep(scope.unit, 'delete')
  const awaitAddress = customerScope ? stepAddress.customerStep(cluster.name, customer.id, 'await-mutation') : stepAddress.unitStep(scope.unit, 'await-mutation')
  const remove = deleteStep(context, deleteAddress, customerScope ? customer.window : scope.window, scope.rows)
  const recorded = context.steps.get(deleteAddress)
  return {
    deleteAddress,
    awaitAddress,
    deleteStep: customerScope ? remove : { ...remove, unit: scope.unit },
    deleteDone: recorded?.status === 'succeeded' && recorded.fingerprint === remove.fingerprint,
    awaitSucceeded: context.steps.get(awaitAddress)?.status === 'succeeded',
  }
}

/**
 * Appends the delete and the await that run, chained after `after` (a step of the same
 * customer, or none: then the first appended is a root). Returns the last step appended,
 * or `after` when neither runs.
 */
export function appendWindowDelete(
  planned: WindowDelete,
  runs: { delete: boolean; await: boolean },
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
  if (runs.delete) append(planned.deleteStep)
  // The await carries its delete's identity (fingerprint, inputs): it waits for that mutation.
  if (runs.await) append({ ...planned.deleteStep, address: planned.awaitAddress, kind: 'await-mutation', estimatedRows: undefined })
  return last
}
