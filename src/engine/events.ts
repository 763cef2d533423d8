import type { JsonValue, StepKind } from '../state/model.js'

export type StepOutcome = 'succeeded' | 'failed' | 'skipped'

type Outputs = Record<string, JsonValue>

/**
 * What the executor reports while it walks the graph. State persistence, progress views
 * and the JSON event stream each subscribe to these; none is woven into the walk. Every
 * event is delivered to every listener, in order, and awaited before the executor goes
 * on: a step's record is durable before anything that depends on it starts.
 */
export type ApplyEvent =
  /** `units`: units the apply backfills (each ends with its verify). */
  | { type: 'apply_start'; plan: string; steps: number; units?: number; at: string }
  /** A state record the plan removes (a forgotten unit's step, a step no longer planned). */
  | { type: 'step_forgotten'; address: string; at: string }
  /**
   * A new attempt is recorded as started, before anything of it is sent (for a job, while
   * its cluster's slots may all be taken); `outputs`: what it is known by (a query id).
   * The state's; `step_start` follows once it runs.
   */
  | { type: 'attempt_recorded'; address: string; kind: StepKind; attempt: number; stateAttempt: number; fingerprint: string; inputs: Outputs; outputs?: Outputs; at: string }
  /**
   * An attempt starts; `resumed` when it takes up an unfinished attempt already recorded as
   * started. `attempt` counts this apply's attempts of the step from 1 (what is shown);
   * `stateAttempt` counts every attempt the state ever recorded (what names its Job, query, mutation tag).
   */
  | { type: 'step_start'; address: string; kind: StepKind; attempt: number; stateAttempt: number; fingerprint: string; inputs: Outputs; resumed: boolean; at: string }
  /** Outputs an attempt learned on the way (a delete's tag, a Job's name), to be recorded before it goes on. */
  | { type: 'step_progress'; address: string; kind: StepKind; attempt: number; stateAttempt: number; fingerprint: string; outputs: Outputs; at: string }
  | { type: 'step_note'; address: string; message: string; at: string }
  /**
   * An attempt ended and its end is known: `outputs` are all the step's outputs so far. An
   * attempt whose end is unknown reports none, and its record stays `started`.
   */
  | { type: 'attempt_done'; address: string; kind: StepKind; attempt: number; stateAttempt: number; fingerprint: string; status: 'succeeded' | 'failed'; outputs: Outputs; error?: string; at: string }
  /** A step is over for this apply: after its last attempt (`attempt` of this apply's), or skipped because a dependency failed. */
  | {
      type: 'step_done'
      address: string
      kind: StepKind
      status: StepOutcome
      attempt: number
      durationMs: number
      /** The unit the step belongs to (job, verify, per-batch delete). */
      unit?: string
      outputs?: Outputs
      error?: string
      logTail?: string
      at: string
    }
  | { type: 'warning'; message: string; at: string }
  /** Someone paused the plan (`bf pause`): nothing new starts until it is resumed. */
  | { type: 'paused'; by: string; reason: string; since: string; at: string }
  | { type: 'resumed'; at: string }
  /** Outside every window of the schedule: deletes and jobs wait for `window` to open at `opensAt`. */
  | { type: 'waiting_for_window'; opensAt: string; window: string; timezone: string; at: string }
  | { type: 'window_open'; window: string; at: string }
  /** A load check of `cluster` is over its limit: nothing new starts there until every check is back under. */
  | { type: 'throttled'; cluster: string; check: string; value: number; limit: number; at: string }
  | { type: 'unthrottled'; cluster: string; at: string }
  | { type: 'interrupt'; signal: string; immediate: boolean; at: string }
  /** The apply lost the state's lease: it started and recorded nothing more; `running`: steps under way then, for the next apply to reconcile. */
  | { type: 'lease_lost'; reason: string; running: string[]; at: string }
  /** `forgotten`: state records the apply removed (steps of forgotten units, steps no longer planned). */
  | { type: 'apply_done'; succeeded: number; failed: number; skipped: number; forgotten: number; durationMs: number; interrupted: boolean; at: string }

/** A subscriber. A listener that throws (or rejects) stops the apply with that error. */
export type ApplyListener = (event: ApplyEvent) => void | Promise<void>
