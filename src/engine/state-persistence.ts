import type { StepEvent, StepRecord } from '../state/model.js'
import { applyEvent } from '../state/model.js'
import type { StateStore } from '../state/store.js'
import type { ApplyEvent, ApplyListener } from './events.js'

/** The state transition an apply event stands for, if any. */
function stepEventOf(event: ApplyEvent): StepEvent | undefined {
  switch (event.type) {
    case 'step_forgotten':
      return { type: 'forgotten', address: event.address, at: event.at }
    case 'attempt_recorded': {
      const { address, kind, stateAttempt, fingerprint, inputs, outputs, at } = event
      return { type: 'started', address, kind, attempt: stateAttempt, fingerprint, inputs, ...(outputs ? { outputs } : {}), at }
    }
    case 'step_progress': {
      const { address, kind, stateAttempt, fingerprint, outputs, at } = event
      return { type: 'progress', address, kind, attempt: stateAttempt, fingerprint, outputs, at }
    }
    case 'attempt_done': {
      const { address, kind, stateAttempt, fingerprint, status, outputs, error, at } = event
      return { type: status, address, kind, attempt: stateAttempt, fingerprint, outputs, ...(error === undefined ? {} : { error }), at }
    }
    default:
      return undefined
  }
}

/**
 * A verify's start guards nothing: it only reads, and one whose start was lost is simply
 * run again. It goes with the state's next write rather than costing one of its own.
 */
function deferrable(event: ApplyEvent): boolean {
  return event.type === 'attempt_recorded' && event.kind === 'verify'
}

/**
 * Persistence as a hook: every step transition is appended to the state and then applied
 * to `records`, the apply's view of the state, before the event is done with; a deferred
 * one is applied at once and written with the next. A deferred write that failed fails
 * the next event.
 */
export function statePersistence(store: StateStore, records: Map<string, StepRecord>): ApplyListener {
  let deferredFailure: { error: unknown } | undefined
  return (event) => {
    if (deferredFailure) throw deferredFailure.error
    const stepEvent = stepEventOf(event)
    if (!stepEvent) return
    if (deferrable(event)) {
      store.append(stepEvent, { deferred: true }).catch((error: unknown) => (deferredFailure ??= { error }))
      applyEvent(records, stepEvent)
      return
    }
    return store.append(stepEvent).then(() => applyEvent(records, stepEvent))
  }
}
