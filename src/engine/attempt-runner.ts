import { errorMessage } from '../common/error-text.js'
import { backoffDelay } from '../common/retry-policy.js'
import { sleep } from '../common/sleep.js'
import type { PlanSpec } from '../plan/model.js'
import type { JsonValue, StepKind, StepRecord } from '../state/model.js'
import type { EngineDeps } from './deps.js'
import type { EventBus } from './event-bus.js'
import { ListenerError } from './event-bus.js'
import { stepFingerprint } from './fingerprint.js'
import type { FingerprintMemo } from './fingerprint.js'
import { runAwaitMutation } from './handlers/await-mutation.js'
import { runCheck } from './handlers/check.js'
import { runDelete } from './handlers/delete.js'
import { identifyJob, runJob } from './handlers/job.js'
import { runVerify } from './handlers/verify.js'
import type { MutationPoller } from './mutation-poller.js'
import type { VerifyBatcher } from './verify-batcher.js'
import type { ComputedPlan, PlannedStep } from './plan-model.js'
import type { StartGate } from './gates/start-gate.js'
import type { Slot } from './launch-slots.js'
import type { ExecutorOptions, StepContext, StepHandler, StepResult } from './step-handler.js'

const HANDLERS: Record<StepKind, StepHandler> = {
  check: runCheck,
  delete: runDelete,
  'await-mutation': runAwaitMutation,
  job: runJob,
  verify: runVerify,
}

/** What the attempts of every step of one apply share. */
export interface AttemptScope {
  spec: PlanSpec
  plan: ComputedPlan
  deps: EngineDeps
  lineage: string
  options: ExecutorOptions
  /** The apply's view of the state, kept current by the persistence hook. */
  records: ReadonlyMap<string, StepRecord>
  events: EventBus
  /** Strings already quoted for fingerprints in this apply. */
  fingerprints: FingerprintMemo
  mutations(cluster: string): Promise<MutationPoller>
  verifies(cluster: string): Promise<VerifyBatcher>
  /** What a new attempt waits for before it starts (a pause, the schedule, the cluster's load). */
  gate: StartGate
  /**
   * The place an attempt runs in once its start is recorded (a job's among its cluster's
   * `job.concurrency`); nothing when `signal` aborts first.
   */
  slot(step: PlannedStep, signal: AbortSignal): Promise<Slot | undefined>
  stopping: AbortSignal
  aborted: AbortSignal
}

const now = (): string => new Date().toISOString()

/** The step's handler, run once; its own failures become a failed result, a broken apply is thrown. */
async function runHandler(step: PlannedStep, context: StepContext): Promise<StepResult> {
  try {
    return await HANDLERS[step.kind](step, context)
  } catch (error) {
    if (error instanceof ListenerError) throw error
    return { status: 'failed', error: errorMessage(error) }
  }
}

/** Which attempt: the `attempt`-th of this apply, the `stateAttempt`-th the state records for the step. */
interface AttemptNumber {
  attempt: number
  stateAttempt: number
}

/**
 * One attempt: recorded as started (unless it resumes one), then, once it has its slot,
 * announced and run, and its known end recorded. A job's start is recorded while its
 * cluster's slots are all taken, so the next job goes out as soon as one is free; if bf
 * stops first, the state holds a start of which nothing was sent, which the next apply
 * takes up like any other. `began` hears when the work starts, `ran` the handler's
 * result before that end is recorded.
 */
async function runOnce(
  scope: AttemptScope,
  step: PlannedStep,
  fingerprint: string,
  number: AttemptNumber,
  previous: Record<string, JsonValue> | undefined,
  earlier: Record<string, JsonValue> | undefined,
  hooks: { began: () => void; ran: (result: StepResult) => void },
): Promise<StepResult> {
  const { events } = scope
  const base = { address: step.address, kind: step.kind, ...number, fingerprint }
  if (previous === undefined) {
    const known = step.kind === 'job' ? await identifyJob(step, { spec: scope.spec, deps: scope.deps, lineage: scope.lineage, attempt: number.stateAttempt }) : undefined
    await events.emit({ type: 'attempt_recorded', ...base, inputs: step.inputs, ...(known ? { outputs: known } : {}), at: now() })
  }
  // Stopped at once (a second Ctrl-C, a lost lease) while the start was being recorded: the handler does not begin.
  if (scope.aborted.aborted) return { status: 'interrupted' }
  const slot = await scope.slot(step, scope.stopping)
  if (!slot) return { status: 'interrupted' }
  try {
    // The wait for a slot may have lasted a whole job: a pause or a closed window since then holds this one too.
    if (slot.waited && previous === undefined) {
      await scope.gate.pass(step, scope.stopping)
      if (scope.stopping.aborted) return { status: 'interrupted' }
    }
    hooks.began()
    await events.emit({ type: 'step_start', ...base, inputs: step.inputs, resumed: previous !== undefined, at: now() })
    if (scope.aborted.aborted) return { status: 'interrupted' }
    const context: StepContext = {
      spec: scope.spec,
      plan: scope.plan,
      deps: scope.deps,
      lineage: scope.lineage,
      attempt: number.stateAttempt,
      ...(previous ? { previous } : {}),
      ...(earlier ? { earlier } : {}),
      mutations: scope.mutations,
      verifies: scope.verifies,
      record: (address) => scope.records.get(address),
      save: (outputs) => events.emit({ type: 'step_progress', ...base, outputs, at: now() }),
      // A note is not waited for; a listener failing on it fails the next event that is.
      note: (message) => void events.emit({ type: 'step_note', address: step.address, message, at: now() }).catch(() => {}),
      stopping: scope.stopping,
      aborted: scope.aborted,
      options: scope.options,
    }
    const result = await runHandler(step, context)
    const handedOver = slot.waitedOn()
    slot.release()
    // The job that waited for this slot goes out before this one's end is recorded.
    if (handedOver) await new Promise((resolve) => setImmediate(resolve))
    hooks.ran(result)
    if (result.status === 'interrupted' || scope.aborted.aborted) return { status: 'interrupted' }
    if (result.status === 'unresolved') return result
    const outputs = { ...scope.records.get(step.address)?.outputs, ...(result.outputs ?? {}) }
    const error = result.status === 'failed' ? { error: result.error } : {}
    await events.emit({ type: 'attempt_done', ...base, status: result.status, outputs, ...error, at: now() })
    return result
  } finally {
    slot.release()
  }
}

/**
 * Runs a step to its end for this apply: first the unfinished attempt the state records
 * for the same inputs (resumed, never started twice), else a new attempt; then, while a
 * job's retries last, a new attempt after each failure whose end is known, after a
 * back-off. Attempts, retries and back-off count from this apply's first; the state's
 * count goes on. `workDone` is called once the last attempt's handler has returned, before
 * its end is recorded: from then on only bookkeeping is left. Rejects only when the apply
 * is broken (a listener failed).
 */
export async function runAttempts(scope: AttemptScope, step: PlannedStep, workDone: () => void = () => {}): Promise<{ result: StepResult; attempts: number; startedAt: number }> {
  const record = scope.records.get(step.address)
  const fingerprint = stepFingerprint(step, scope.fingerprints)
  const resuming = record?.status === 'started' && record.fingerprint === fingerprint
  const number: AttemptNumber = { attempt: 1, stateAttempt: resuming ? record.attempt : (record?.attempt ?? 0) + 1 }
  const attempts = 1 + (step.kind === 'job' ? scope.spec.job.retries : 0)
  let previous = resuming ? (record.outputs ?? {}) : undefined
  // What the last attempt left when it failed (a delete's tag), so a new attempt can reconcile with it.
  let earlier = !resuming && record?.status === 'failed' && record.fingerprint === fingerprint ? record.outputs : undefined
  let last: StepResult = { status: 'interrupted' }
  // When the first attempt began, past any wait at the gate or for a slot: a step's duration is its work's.
  let startedAt: number | undefined
  const isLast = (result: StepResult): boolean => result.status !== 'failed' || number.attempt >= attempts || scope.stopping.aborted
  const retried = (result: StepResult): result is Extract<StepResult, { status: 'failed' }> => !isLast(result)
  const ran = (result: StepResult): void => {
    if (isLast(result)) workDone()
  }
  for (;;) {
    // An attempt taken up where an earlier apply left it is already under way: only new ones wait at the gate.
    if (previous === undefined) {
      await scope.gate.pass(step, scope.stopping)
      if (scope.stopping.aborted) return { result: last, attempts: Math.max(1, number.attempt - 1), startedAt: startedAt ?? Date.now() }
    }
    const result = await runOnce(scope, step, fingerprint, number, previous, earlier, { began: () => (startedAt ??= Date.now()), ran })
    last = result
    if (!retried(result)) return { result, attempts: number.attempt, startedAt: startedAt ?? Date.now() }
    const delay = backoffDelay(scope.options.jobBackoff, number.attempt)
    await scope.events.emit({ type: 'step_note', address: step.address, message: `attempt ${number.attempt} failed: ${result.error}; retrying in ${Math.round(delay / 1000)}s`, at: now() })
    await sleep(delay, scope.stopping)
    if (scope.stopping.aborted) return { result, attempts: number.attempt, startedAt: startedAt ?? Date.now() }
    number.attempt++
    number.stateAttempt++
    earlier = scope.records.get(step.address)?.outputs
    previous = undefined
  }
}
