import type { StepEvent, StepRecord } from '../state/model.js'
import { applyEvent } from '../state/model.js'
import type { StateStore } from '../state/store.js'
import type { ApplyEvent, ApplyListener } from './events.js'

/** The state transition an apply event stands for, if any. */
function stepEventOf(event: ApplyEvent): StepEvent | undefined {
  switch (event.type) {
    case 'step_forgotten':
      return { type: 'forgotten', address: event.address, at: event.at }
    case 'step_start': {
      if (event.resumed) return undefined
      const { address, kind, stateAttempt, fingerprint, inputs, at } = event
      return { type: 'started', address, kind, attempt: stateAttempt, fingerprint, inputs, at }
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
 * Persistence as a hook: every step transition is appended to the state and then applied
 * to `records`, the apply's view of the state, before the event is done with.
 */
export function statePersistence(store: StateStore, records: Map<string, StepRecord>): ApplyListener {
  return (event) => {
    const stepEvent = stepEventOf(event)
    if (!stepEvent) return
    return store.append(stepEvent).then(() => applyEvent(records, stepEvent))
  }
}
