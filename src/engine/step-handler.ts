import type { Backoff } from '../common/retry-policy.js'
import type { Clock } from './gates/clock.js'
import type { PlanSpec } from '../plan/model.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { EngineDeps } from './deps.js'
import type { MutationPoller } from './mutation-poller.js'
import type { VerifyBatcher } from './verify-batcher.js'
import type { ComputedPlan, PlannedStep } from './plan-model.js'

export type StepResult =
  | { status: 'succeeded'; outputs: Record<string, JsonValue> }
  | { status: 'failed'; error: string; outputs?: Record<string, JsonValue>; logTail?: string }
  /** Stopped at a safe point on request: the step stays `started` and is reconciled on resume. */
  | { status: 'interrupted' }
  /** The outcome is unknown (a Job bf lost sight of): reported as a failure, but the step stays `started` for the next apply to reconcile. */
  | { status: 'unresolved'; error: string; outputs?: Record<string, JsonValue>; logTail?: string }

export interface StepContext {
  spec: PlanSpec
  plan: ComputedPlan
  deps: EngineDeps
  lineage: string
  attempt: number
  /** Outputs an unfinished earlier run of this same attempt recorded (resume after a crash). */
  previous?: Record<string, JsonValue>
  /** Outputs the last attempt of this step left when it failed, for a new attempt with the same inputs. */
  earlier?: Record<string, JsonValue>
  /** The poller of a cluster's mutations, shared by every await of this apply on it. */
  mutations(cluster: string): Promise<MutationPoller>
  /** The batcher of a cluster's verify figures, shared by every verify of this apply on it. */
  verifies(cluster: string): Promise<VerifyBatcher>
  /** The latest record of another step (a delete's tag, for its await). */
  record(address: string): StepRecord | undefined
  /** Records outputs durably before the step goes on. */
  save(outputs: Record<string, JsonValue>): Promise<void>
  note(message: string): void
  /** Aborted on the first interrupt: stop at a safe point. */
  stopping: AbortSignal
  /** Aborted on the second interrupt: stop now. */
  aborted: AbortSignal
  options: ExecutorOptions
}

export interface ExecutorOptions {
  /** Overrides `job.concurrency`. */
  concurrency?: number
  allowLargeDelete: boolean
  /** How often an await polls `system.mutations`. */
  pollIntervalMs: number
  /** How long a failed job waits before its next attempt. */
  jobBackoff: Backoff
  /** Start deletes and jobs outside the plan's schedule (`--ignore-schedule`). */
  ignoreSchedule?: boolean
  /** Time for the pause, schedule and load gates; the real clock by default. */
  clock?: Clock
  /** How often a running apply looks for a pause. */
  pausePollMs?: number
}

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  allowLargeDelete: false,
  pollIntervalMs: 2_000,
  jobBackoff: { baseDelayMs: 10_000, maxDelayMs: 300_000 },
}

export type StepHandler = (step: PlannedStep, context: StepContext) => Promise<StepResult>
