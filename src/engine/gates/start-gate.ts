import type { StepKind } from '../../state/model.js'
import type { PlannedStep } from '../plan-model.js'

/**
 * What a step waits for before it starts: a pause, a maintenance window, a cluster's load.
 * A gate tells whoever listens when it starts or stops holding steps, once per change.
 */
export interface StartGate {
  /**
   * Resolves once `step` may start, at once when `signal` aborts (the caller then checks
   * it). True when it held the step back: the time it waited may have closed another gate.
   */
  pass(step: PlannedStep, signal: AbortSignal): Promise<boolean>
}

/** Deletes and jobs write to the cluster; the schedule and the load checks hold only them. */
export function writes(kind: StepKind): boolean {
  return kind === 'delete' || kind === 'job'
}

/** Every gate in turn, again until a round through all of them held nothing. */
export function allGates(gates: readonly StartGate[]): StartGate {
  return {
    async pass(step, signal) {
      let heldEver = false
      for (;;) {
        let held = false
        for (const gate of gates) {
          if (signal.aborted) return heldEver
          if (await gate.pass(step, signal)) held = true
        }
        if (!held || signal.aborted) return heldEver || held
        heldEver = true
      }
    },
  }
}
