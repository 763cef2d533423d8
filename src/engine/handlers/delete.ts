import { errorMessage } from '../../common/error-text.js'
import { sleep } from '../../common/sleep.js'
import type { PlanSpec } from '../../plan/model.js'
import type { DeleteRequest } from '../../warehouse/warehouse.js'
import { shortHash } from '../fingerprint.js'
import type { PlannedStep } from '../plan-model.js'
import type { StepHandler, StepResult } from '../step-handler.js'
import { deleteRequest } from '../step-inputs.js'

/** The delete request of a delete (or await) step, carrying the tag that finds its mutation. */
export function deleteRequestOf(spec: PlanSpec, step: PlannedStep, tag: string): DeleteRequest {
  const cluster = spec.clusters.find((candidate) => candidate.name === step.cluster)
  const ranges = step.ranges ?? (step.window ? [step.window] : undefined)
  const customer = step.customer ?? step.customers
  if (!cluster || customer === undefined || !ranges) throw new Error(`${step.address} is not a delete of a customer window`)
  return deleteRequest(spec, cluster, customer, ranges, tag)
}

/**
 * Submits the delete without waiting for it. The tag and the server time are recorded
 * before submission, so a resumed or timed-out delete looks for its mutation instead of
 * submitting a second one.
 */
export const runDelete: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps } = context
  if (spec.delete === false) return { status: 'failed', error: 'the plan has no deletes' }
  const warehouse = await deps.warehouse(step.cluster)
  // The last attempt may have reached the server after all (it was interrupted, or failed
  // on an answer that never came): adopt its mutation rather than submit a second one, which
  // could land after the jobs re-inserted the window and delete their rows.
  const last = context.previous ?? context.earlier
  const previousTag = last?.tag
  const previousSince = last?.since
  if (typeof previousTag === 'string' && typeof previousSince === 'number') {
    const found = await warehouse.findMutation(deleteRequestOf(spec, step, previousTag), previousSince)
    if (found) return { status: 'succeeded', outputs: { tag: previousTag, since: previousSince, adopted: true } }
  }
  const tag = `bf-${shortHash(`${context.lineage}/${step.address}`)}-${context.attempt}`
  const request = deleteRequestOf(spec, step, tag)

  const maxPending = spec.guards.maxPendingMutations
  if (maxPending !== undefined) {
    const deadline = Date.now() + spec.delete.timeoutMs
    for (;;) {
      const pending = await warehouse.pendingMutations({ database: spec.target.database, table: spec.target.table })
      if (pending <= maxPending) break
      if (Date.now() > deadline) return { status: 'failed', error: `${pending} mutations still pending on ${spec.target.table} (guards.maxPendingMutations: ${maxPending})` }
      context.note(`waiting: ${pending} mutations pending (guard ${maxPending})`)
      await sleep(context.options.pollIntervalMs, context.stopping)
      if (context.stopping.aborted) return { status: 'interrupted' }
    }
  }

  const since = await warehouse.serverTime()
  await context.save({ tag, since })
  try {
    await warehouse.submitDelete(request)
  } catch (error) {
    // A timeout does not cancel a mutation on the server: look before failing or resubmitting.
    const found = await warehouse.findMutation(request, since).catch(() => undefined)
    if (found) return { status: 'succeeded', outputs: { tag, since, adopted: true } }
    return { status: 'failed', error: `${step.cluster}: delete not submitted: ${errorMessage(error)}`, outputs: { tag, since } }
  }
  return { status: 'succeeded', outputs: { tag, since, ...(step.estimatedRows === undefined ? {} : { estimatedRows: step.estimatedRows }) } }
}
