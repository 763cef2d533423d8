import { errorMessage } from '../../common/error-text.js'
import { formatDuration } from '../../plan/duration.js'
import type { JsonValue } from '../../state/model.js'
import type { MutationStatus } from '../../warehouse/warehouse.js'
import { WarehouseError } from '../../warehouse/warehouse.js'
import type { StepHandler, StepResult } from '../step-handler.js'
import { deleteRequestOf } from './delete.js'

/** What the polls saw of each replica: when it was first seen done, and the most parts it had to do. */
class ReplicaProgress {
  readonly #doneAt = new Map<string, string>()
  readonly #mostParts = new Map<string, number>()

  seen(status: MutationStatus): void {
    const now = new Date().toISOString()
    for (const host of status.hosts) {
      const key = `${host.host}\u0000${host.mutationId}`
      if (host.isDone && !this.#doneAt.has(key)) this.#doneAt.set(key, now)
      this.#mostParts.set(key, Math.max(this.#mostParts.get(key) ?? 0, host.partsToDo))
    }
  }

  output(status: MutationStatus): JsonValue {
    return status.hosts.map((host) => {
      const key = `${host.host}\u0000${host.mutationId}`
      const doneAt = this.#doneAt.get(key)
      return {
        host: host.host,
        mutationId: host.mutationId,
        isDone: host.isDone,
        partsToDo: host.partsToDo,
        mostPartsToDo: this.#mostParts.get(key) ?? host.partsToDo,
        ...(doneAt ? { doneAt } : {}),
        ...(host.latestFailReason ? { latestFailReason: host.latestFailReason } : {}),
      }
    })
  }
}

function lagging(status: MutationStatus): string {
  const notDone = status.hosts.filter((host) => !host.isDone)
  const missing = status.replicas - status.hosts.length
  const parts = notDone.map((host) => `${host.host} (${host.partsToDo} ${host.partsToDo === 1 ? 'part' : 'parts'} to do${host.latestFailReason ? `, failing: ${host.latestFailReason}` : ''})`)
  if (missing > 0) parts.push(`${missing} replica(s) not reporting`)
  return parts.join(', ')
}

/**
 * Waits until the delete's mutation is done on every replica, reporting failures as they
 * appear and failing after `delete.timeout`.
 */
export const runAwaitMutation: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec } = context
  if (spec.delete === false) return { status: 'failed', error: 'the plan has no deletes' }
  // `…/await-mutation` waits for `…/delete`; a cluster's `c/await-mutation-2` for `c/delete-2`.
  const deleteAddress = step.address.replace(/await-mutation(-[1-9][0-9]*)?$/, 'delete$1')
  const outputs = context.record(deleteAddress)?.outputs
  const tag = outputs?.tag
  const since = outputs?.since
  if (typeof tag !== 'string' || typeof since !== 'number') return { status: 'failed', error: `${deleteAddress} recorded no mutation to wait for; re-run the delete (bf state rm … ${deleteAddress})` }
  const poller = await context.mutations(step.cluster)
  const lookup = { request: deleteRequestOf(spec, step, tag), since }
  const started = Date.now()
  let last: MutationStatus | undefined
  let lastNote = ''
  const progress = new ReplicaProgress()
  // Ask again after a tenth of the time waited so far (at least 50 ms, at most the plan's
  // interval): a mutation is seen done at most a tenth later than it finished, and the jobs
  // waiting on it start then. The awaits of a cluster share their polls, so this costs a
  // few more short queries per wait, not per customer.
  for (let delayMs = 0; ; delayMs = Math.min(context.options.pollIntervalMs, Math.max(50, (Date.now() - started) / 10))) {
    const polled = await poller.next(lookup, delayMs, context.stopping)
    if ('stopped' in polled) return { status: 'interrupted' }
    if ('error' in polled) {
      const { error } = polled
      // Transient failures were retried already and may pass; a refused login or a missing grant stays.
      if (error instanceof WarehouseError && !error.transient) {
        return { status: 'failed', error: `cannot read the mutation's progress: ${errorMessage(error)}`, outputs: { tag } }
      }
      context.note(`cannot read mutations yet: ${errorMessage(error)}`)
    } else {
      last = polled.status
      if (polled.status) progress.seen(polled.status)
    }
    if (last?.done) return { status: 'succeeded', outputs: { tag, hosts: progress.output(last), waitedMs: Date.now() - started } }
    const note = last ? `waiting for ${lagging(last)}` : 'mutation not visible yet'
    if (note !== lastNote) context.note(note)
    lastNote = note
    if (Date.now() - started > spec.delete.timeoutMs) {
      const detail = last ? lagging(last) : 'the mutation was never seen on any replica'
      return {
        status: 'failed',
        error: `mutation not done after ${formatDuration(spec.delete.timeoutMs)}: ${detail}; inspect system.mutations, then re-run apply to keep waiting`,
        outputs: last ? { tag, hosts: progress.output(last) } : { tag },
      }
    }
  }
}
