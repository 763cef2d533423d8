import { setMaxListeners } from 'node:events'
import { errorMessage } from '../common/error-text.js'
import { backoffDelay } from '../common/retry-policy.js'
import { sleep } from '../common/sleep.js'
import type { PlanSpec } from '../plan/model.js'
import type { JsonValue, StateSnapshot, StepEvent, StepKind, StepRecord } from '../state/model.js'
import { applyEvent } from '../state/model.js'
import type { EngineDeps } from './deps.js'
import type { ApplyEvent, ApplyListener, StepOutcome } from './events.js'
import { runAwaitMutation } from './handlers/await-mutation.js'
import { runCheck } from './handlers/check.js'
import { runDelete } from './handlers/delete.js'
import { runJob } from './handlers/job.js'
import { runVerify } from './handlers/verify.js'
import { MinHeap } from './min-heap.js'
import { MutationPoller } from './mutation-poller.js'
import { stepFingerprint } from './fingerprint.js'
import type { ComputedPlan, PlannedStep } from './plan-model.js'
import type { ExecutorOptions, StepContext, StepHandler, StepResult } from './step-handler.js'

const HANDLERS: Record<StepKind, StepHandler> = {
  check: runCheck,
  delete: runDelete,
  'await-mutation': runAwaitMutation,
  job: runJob,
  verify: runVerify,
}

/** Two-stage stop: `stopping` starts nothing new and lets steps reach a safe point; `aborted` stops now. */
export interface StopSignals {
  stopping: AbortSignal
  aborted: AbortSignal
}

export interface ApplyResult {
  succeeded: number
  failed: number
  skipped: number
  interrupted: boolean
  failures: { address: string; error: string; logTail?: string }[]
}

type Lane = 'job' | 'delete' | 'verify' | 'free'

function laneOf(kind: StepKind): Lane {
  if (kind === 'job') return 'job'
  if (kind === 'delete') return 'delete'
  if (kind === 'verify') return 'verify'
  return 'free'
}

const now = (): string => new Date().toISOString()

/**
 * Walks the step graph: a step starts as soon as its dependencies succeeded, within
 * per-cluster bounds (`job.concurrency` jobs, one delete per table, a few verifies);
 * a failed step skips its dependents and independent branches go on. Every transition is
 * appended to the state before anything depends on it.
 */
export class Executor {
  private readonly steps: PlannedStep[]
  private readonly index = new Map<string, number>()
  private readonly waiting: number[]
  private readonly dependents: number[][]
  private readonly ready = new Map<string, MinHeap>()
  private readonly running = new Map<string, number>()
  private readonly pollers = new Map<string, Promise<MutationPoller>>()
  private readonly records: Map<string, StepRecord>
  private readonly result: ApplyResult = { succeeded: 0, failed: 0, skipped: 0, interrupted: false, failures: [] }
  private readonly listeners: ApplyListener[] = []
  private readonly lineage: string
  private active = 0
  private finished = 0
  private wake: (() => void) | undefined

  constructor(
    private readonly spec: PlanSpec,
    private readonly plan: ComputedPlan,
    private readonly deps: EngineDeps,
    private readonly state: StateSnapshot,
    private readonly options: ExecutorOptions,
    private readonly stop: StopSignals,
  ) {
    // Every waiting step listens for a stop: dozens at once is normal, not a leak.
    setMaxListeners(0, stop.stopping, stop.aborted)
    this.steps = plan.steps
    this.records = state.steps
    this.lineage = state.lineage
    this.steps.forEach((step, i) => this.index.set(step.address, i))
    this.waiting = this.steps.map((step) => step.dependsOn.filter((address) => this.index.has(address)).length)
    this.dependents = this.steps.map(() => [])
    this.steps.forEach((step, i) => {
      for (const address of step.dependsOn) {
        const parent = this.index.get(address)
        if (parent !== undefined) this.dependents[parent]?.push(i)
      }
    })
  }

  on(listener: ApplyListener): this {
    this.listeners.push(listener)
    return this
  }

  private emit(event: ApplyEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  private limit(cluster: string, lane: Lane): number {
    const jobs = this.options.concurrency ?? this.spec.job.concurrency
    if (lane === 'job') return jobs
    if (lane === 'delete') return 1
    if (lane === 'verify') return Math.max(2, jobs)
    return Infinity
  }

  private mutationPoller(cluster: string): Promise<MutationPoller> {
    let poller = this.pollers.get(cluster)
    if (!poller) {
      poller = this.deps.warehouse(cluster).then((warehouse) => new MutationPoller(warehouse))
      this.pollers.set(cluster, poller)
    }
    return poller
  }

  private queue(cluster: string, lane: Lane): MinHeap {
    const key = `${cluster}\u0000${lane}`
    let heap = this.ready.get(key)
    if (!heap) {
      heap = new MinHeap()
      this.ready.set(key, heap)
    }
    return heap
  }

  private enqueue(i: number): void {
    const step = this.steps[i] as PlannedStep
    this.queue(step.cluster, laneOf(step.kind)).push(i)
  }

  private async write(event: StepEvent): Promise<void> {
    await this.deps.state.append(event)
    applyEvent(this.records, event)
  }

  async run(): Promise<ApplyResult> {
    const started = Date.now()
    this.emit({ type: 'apply_start', plan: this.plan.plan.name, steps: this.steps.length, at: now() })
    for (const address of this.plan.forgetSteps) await this.write({ type: 'forgotten', address, at: now() })
    this.steps.forEach((_, i) => {
      if (this.waiting[i] === 0) this.enqueue(i)
    })
    const onStop = (): void => this.wake?.()
    this.stop.stopping.addEventListener('abort', onStop)
    this.stop.aborted.addEventListener('abort', onStop)
    try {
      while (this.finished < this.steps.length) {
        if (this.stop.aborted.aborted) break
        if (!this.stop.stopping.aborted) this.startReady()
        if (this.active === 0) break
        await new Promise<void>((resolve) => (this.wake = resolve))
      }
    } finally {
      this.stop.stopping.removeEventListener('abort', onStop)
      this.stop.aborted.removeEventListener('abort', onStop)
    }
    this.result.interrupted = this.stop.stopping.aborted || this.stop.aborted.aborted
    const { succeeded, failed, skipped, interrupted } = this.result
    this.emit({ type: 'apply_done', succeeded, failed, skipped, durationMs: Date.now() - started, interrupted, at: now() })
    return this.result
  }

  private startReady(): void {
    for (const [key, heap] of this.ready) {
      const [cluster = '', lane = 'free'] = key.split('\u0000') as [string, Lane]
      const limit = this.limit(cluster, lane)
      while (heap.size > 0 && (this.running.get(key) ?? 0) < limit) {
        const i = heap.pop() as number
        this.running.set(key, (this.running.get(key) ?? 0) + 1)
        this.active++
        void this.runStep(i).finally(() => {
          this.running.set(key, (this.running.get(key) ?? 1) - 1)
          this.active--
          this.wake?.()
        })
      }
    }
  }

  private async runStep(i: number): Promise<void> {
    const step = this.steps[i] as PlannedStep
    const startedAt = Date.now()
    const outcome = await this.attempts(step).catch((error: unknown): StepResult => ({ status: 'failed', error: errorMessage(error) }))
    if (outcome.status === 'interrupted') return
    // From here on 'unresolved' counts as a failure for this run; its record stays `started`.
    this.finished++
    const durationMs = Date.now() - startedAt
    const attempt = this.records.get(step.address)?.attempt ?? 1
    if (outcome.status === 'succeeded') {
      this.result.succeeded++
      this.emit({ type: 'step_done', address: step.address, kind: step.kind, status: 'succeeded', attempt, durationMs, outputs: outcome.outputs, at: now() })
      for (const child of this.dependents[i] ?? []) {
        const left = (this.waiting[child] ?? 1) - 1
        this.waiting[child] = left
        if (left === 0) this.enqueue(child)
      }
      return
    }
    this.result.failed++
    this.result.failures.push({ address: step.address, error: outcome.error, ...(outcome.logTail ? { logTail: outcome.logTail } : {}) })
    this.emit({
      type: 'step_done',
      address: step.address,
      kind: step.kind,
      status: 'failed',
      attempt,
      durationMs,
      error: outcome.error,
      ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
      ...(outcome.logTail ? { logTail: outcome.logTail } : {}),
      at: now(),
    })
    this.skipDependents(i)
  }

  private skipDependents(i: number): void {
    const stack = [...(this.dependents[i] ?? [])]
    const seen = new Set<number>()
    while (stack.length > 0) {
      const child = stack.pop() as number
      if (seen.has(child)) continue
      seen.add(child)
      const step = this.steps[child] as PlannedStep
      this.finished++
      this.result.skipped++
      this.emit({ type: 'step_done', address: step.address, kind: step.kind, status: 'skipped' as StepOutcome, attempt: 0, durationMs: 0, at: now() })
      stack.push(...(this.dependents[child] ?? []))
    }
  }

  /** Runs a step, its unfinished earlier attempt first, then new attempts while retries last. */
  private async attempts(step: PlannedStep): Promise<StepResult> {
    const record = this.records.get(step.address)
    const fingerprint = stepFingerprint(step)
    const resuming = record?.status === 'started' && record.fingerprint === fingerprint
    let attempt = resuming ? record.attempt : (record?.attempt ?? 0) + 1
    const retries = step.kind === 'job' ? this.spec.job.retries : 0
    const lastAttempt = attempt + retries
    let previous = resuming ? record.outputs : undefined
    // What the last attempt left when it failed (a delete's tag), so a new attempt can reconcile with it.
    let earlier = !resuming && record?.status === 'failed' && record.fingerprint === fingerprint ? record.outputs : undefined
    for (;;) {
      const result = await this.once(step, fingerprint, attempt, previous, earlier)
      if (result.status !== 'failed' || attempt >= lastAttempt || this.stop.stopping.aborted) return result
      // retry only failures whose end is known; an unresolved attempt is never run twice at once
      const delay = backoffDelay({ baseDelayMs: this.options.retryBackoffMs, maxDelayMs: this.options.retryBackoffCapMs }, attempt)
      this.emit({ type: 'step_note', address: step.address, message: `attempt ${attempt} failed: ${result.error}; retrying in ${Math.round(delay / 1000)}s`, at: now() })
      await sleep(delay, this.stop.stopping)
      if (this.stop.stopping.aborted) return result
      attempt++
      earlier = this.records.get(step.address)?.outputs
      previous = undefined
    }
  }

  private async once(
    step: PlannedStep,
    fingerprint: string,
    attempt: number,
    previous: Record<string, JsonValue> | undefined,
    earlier: Record<string, JsonValue> | undefined,
  ): Promise<StepResult> {
    const base = { address: step.address, kind: step.kind, attempt, fingerprint }
    if (!previous) await this.write({ type: 'started', ...base, inputs: step.inputs, at: now() })
    this.emit({ type: 'step_start', address: step.address, kind: step.kind, attempt, at: now() })
    const context: StepContext = {
      spec: this.spec,
      plan: this.plan,
      deps: this.deps,
      lineage: this.lineage,
      attempt,
      ...(previous ? { previous } : {}),
      ...(earlier ? { earlier } : {}),
      mutations: (cluster) => this.mutationPoller(cluster),
      record: (address) => this.records.get(address),
      save: (outputs) => this.write({ type: 'progress', ...base, outputs, at: now() }),
      note: (message) => this.emit({ type: 'step_note', address: step.address, message, at: now() }),
      stopping: this.stop.stopping,
      aborted: this.stop.aborted,
      options: this.options,
    }
    const result = await HANDLERS[step.kind](step, context).catch((error: unknown): StepResult => ({ status: 'failed', error: errorMessage(error) }))
    if (result.status === 'interrupted' || this.stop.aborted.aborted) return { status: 'interrupted' }
    if (result.status === 'unresolved') return result
    const outputs = { ...this.records.get(step.address)?.outputs, ...(result.outputs ?? {}) }
    if (result.status === 'succeeded') await this.write({ type: 'succeeded', ...base, outputs, at: now() })
    else await this.write({ type: 'failed', ...base, outputs, error: result.error, at: now() })
    return result
  }
}
