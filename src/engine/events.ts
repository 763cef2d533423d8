import type { JsonValue, StepKind } from '../state/model.js'

export type StepOutcome = 'succeeded' | 'failed' | 'skipped'

/**
 * What the executor reports while it walks the graph. Progress views, the JSON event
 * stream and state persistence all subscribe to these; none is woven into the walk.
 */
export type ApplyEvent =
  | { type: 'apply_start'; plan: string; steps: number; at: string }
  | { type: 'step_start'; address: string; kind: StepKind; attempt: number; at: string }
  | { type: 'step_note'; address: string; message: string; at: string }
  | {
      type: 'step_done'
      address: string
      kind: StepKind
      status: StepOutcome
      attempt: number
      durationMs: number
      outputs?: Record<string, JsonValue>
      error?: string
      logTail?: string
      at: string
    }
  | { type: 'warning'; message: string; at: string }
  | { type: 'interrupt'; signal: string; immediate: boolean; at: string }
  | { type: 'apply_done'; succeeded: number; failed: number; skipped: number; durationMs: number; interrupted: boolean; at: string }

export type ApplyListener = (event: ApplyEvent) => void
