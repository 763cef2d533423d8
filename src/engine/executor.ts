import { setMaxListeners } from 'node:events'
import type { PlanSpec } from '../plan/model.js'
import type { StateSnapshot, StepKind } from '../state/model.js'
import { runAttempts } from './attempt-runner.js'
import type { AttemptScope } from './attempt-runner.js'
import type { EngineDeps } from './deps.js'
import { EventBus } from './event-bus.js'
import { FingerprintMemo } from './fingerprint.js'
import type { ApplyEvent, ApplyListener } from './events.js'
import { openGates } from './gates/apply-gates.js'
import { MutationPoller } from './mutation-poller.js'
import type { ComputedPlan, PlannedStep } from './plan-model.js'
import { LaunchSlots } from './launch-slots.js'
import type { Slot } from './launch-slots.js'
import { LeaseGuard } from './lease-loss.js'
import type { LeaseLoss } from './lease-loss.js'
import { statePersistence } from './state-persistence.js'
import type { ExecutorOptions } from './step-handler.js'
import { VERIFY_GROUP_CAP, VERIFY_GROUPS_IN_FLIGHT, VerifyBatcher } from './verify-batcher.js'
import { walk } from './walk/graph-walker.js'
import type { VisitOutcome, WalkNode } from './walk/graph-walker.js'

/**
 * Two-stage stop: `stopping` starts nothing new and lets steps reach a safe point; `aborted`
 * stops now. `lost`, the held lock's (`HeldLock.lost`), stops now too and ends the writes
 * (`lease-loss.ts`).
 */
export interface StopSignals {
  stopping: AbortSignal
  aborted: AbortSignal
  lost?: AbortSignal
}

export interface ApplyResult {
  succeeded: number
  failed: number
  skipped: number
  /** State records removed: the plan's steps to forget. */
  forgotten: number
  interrupted: boolean
  /** Set when the apply stopped because it lost the state's lease. */
  leaseLost?: LeaseLoss
  failures: { address: string; error: string; logTail?: string }[]
}

/** Steps that share a bound on one cluster: its jobs, its deletes (one at a time per table), its verifies; the rest are free. */
type LaneKind = 'job' | 'delete' | 'verify' | 'free'

function laneKindOf(kind: StepKind): LaneKind {
  if (kind === 'job' || kind === 'delete' || kind === 'verify') return kind
  return 'free'
}

const LANE_SEPARATOR = '\u0000'

/**
 * Jobs of a cluster whose starts are recorded while its `job.concurrency` jobs run, each
 * waiting for a slot. One keeps bf's disk out of the way between two jobs; several let
 * their starts share one write when writes are slower than jobs end (a state in
 * ClickHouse, short jobs). After a stop, that many jobs at most show as started though
 * nothing of them was sent; the next apply sends them.
 */
const JOBS_AHEAD = 8

interface StepNode extends WalkNode {
  step: PlannedStep
}

const now = (): string => new Date().toISOString()

/**
 * Carries a plan out: walks its step graph (`walk`) with per-cluster bounds — `job.concurrency`
 * jobs, one delete at a time, verifies grouped per cluster (`VerifyBatcher`) — runs each
 * step's attempts, and tells every listener what happens. The state is one of those
 * listeners, and it subscribes first: every transition is recorded before anything
 * depends on it.
 */
export class Executor {
  readonly #events = new EventBus()
  readonly #pollers = new Map<string, Promise<MutationPoller>>()
  readonly #verifies = new Map<string, Promise<VerifyBatcher>>()
  readonly #jobSlots = new Map<string, LaunchSlots>()
  /** Steps under way other than verifies: while none is, waiting verifies go out at once. */
  #busy = 0
  readonly #result: ApplyResult = { succeeded: 0, failed: 0, skipped: 0, forgotten: 0, interrupted: false, failures: [] }
  readonly #lease: LeaseGuard

  constructor(
    private readonly spec: PlanSpec,
    private readonly plan: ComputedPlan,
    private readonly deps: EngineDeps,
    private readonly state: StateSnapshot,
    private readonly options: ExecutorOptions,
    stop: StopSignals,
  ) {
    // Every waiting step listens for a stop: dozens at once is normal, not a leak.
    setMaxListeners(0, stop.stopping, stop.aborted)
    this.#lease = new LeaseGuard(stop)
    this.#events.on(this.#lease.guardWrites(statePersistence(deps.state, state.steps)))
    this.#events.on(this.#lease.track)
  }

  on(listener: ApplyListener): this {
    this.#events.on(listener)
    return this
  }

  #limit(lane: string): number {
    const kind = lane.slice(lane.lastIndexOf(LANE_SEPARATOR) + 1) as LaneKind
    // Jobs beyond those running have their starts recorded meanwhile and wait for a slot (`JOBS_AHEAD`).
    if (kind === 'job') return this.#jobConcurrency() + JOBS_AHEAD
    if (kind === 'delete') return 1
    // Verifies wait in their cluster's batcher for a full group, and more are ready meanwhile.
    if (kind === 'verify') return VERIFY_GROUP_CAP * (VERIFY_GROUPS_IN_FLIGHT + 1)
    return Infinity
  }

  #jobConcurrency(): number {
    return this.options.concurrency ?? this.spec.job.concurrency
  }

  /** A job runs in one of its cluster's `job.concurrency` slots; other steps are bound by their lane alone. */
  #slot(step: PlannedStep, signal: AbortSignal): Promise<Slot | undefined> {
    if (step.kind !== 'job') return Promise.resolve({ release: () => {}, waitedOn: () => false, waited: false })
    let slots = this.#jobSlots.get(step.cluster)
    if (!slots) this.#jobSlots.set(step.cluster, (slots = new LaunchSlots(this.#jobConcurrency())))
    return slots.acquire(signal)
  }

  #verifiesOf(cluster: string): Promise<VerifyBatcher> {
    let batcher = this.#verifies.get(cluster)
    if (!batcher) {
      const { target, expected, batch } = this.spec
      const checks = Math.max(2, this.#jobConcurrency())
      batcher = this.deps.warehouse(cluster).then(
        (warehouse) => new VerifyBatcher(warehouse, { target, ...(expected ? { expected } : {}), grid: batch }, { idle: () => this.#busy === 0, checks }),
      )
      this.#verifies.set(cluster, batcher)
    }
    return batcher
  }

  /** Once the steps a finished one made ready have begun: if none is under way, nothing more comes to group with. */
  #flushVerifiesWhenIdle(): void {
    setImmediate(() => {
      if (this.#busy > 0) return
      for (const batcher of this.#verifies.values()) void batcher.then((ready) => ready.flush(), () => undefined)
    })
  }

  #mutations(cluster: string): Promise<MutationPoller> {
    let poller = this.#pollers.get(cluster)
    if (!poller) {
      poller = this.deps.warehouse(cluster).then((warehouse) => new MutationPoller(warehouse))
      this.#pollers.set(cluster, poller)
    }
    return poller
  }

  async #visit(scope: AttemptScope, step: PlannedStep, release: () => void): Promise<VisitOutcome> {
    if (step.kind === 'verify') return this.#visitOnce(scope, step, release)
    this.#busy++
    try {
      return await this.#visitOnce(scope, step, release)
    } finally {
      if (--this.#busy === 0) this.#flushVerifiesWhenIdle()
    }
  }

  /**
   * A step's place in its lane is given up once its work is over: the lane's next step
   * starts while this one's end is recorded, and both records can share one write.
   */
  async #visitOnce(scope: AttemptScope, step: PlannedStep, release: () => void): Promise<VisitOutcome> {
    const { result: outcome, attempts, startedAt } = await runAttempts(scope, step, release)
    if (outcome.status === 'interrupted') return 'interrupted'
    // From here on 'unresolved' counts as a failure for this run; its record stays `started`.
    const base = { address: step.address, kind: step.kind, attempt: attempts, durationMs: Date.now() - startedAt, ...(step.unit === undefined ? {} : { unit: step.unit }) }
    if (outcome.status === 'succeeded') {
      this.#result.succeeded++
      await this.#events.emit({ type: 'step_done', ...base, status: 'succeeded', outputs: outcome.outputs, at: now() })
      return 'succeeded'
    }
    this.#result.failed++
    const logTail = outcome.logTail ? { logTail: outcome.logTail } : {}
    this.#result.failures.push({ address: step.address, error: outcome.error, ...logTail })
    const outputs = outcome.outputs ? { outputs: outcome.outputs } : {}
    await this.#events.emit({ type: 'step_done', ...base, status: 'failed', error: outcome.error, ...outputs, ...logTail, at: now() })
    return 'failed'
  }

  async run(): Promise<ApplyResult> {
    const started = Date.now()
    const { stopping, aborted } = this.#lease.stop
    const units = new Set(this.plan.steps.flatMap((step) => (step.kind === 'verify' && step.unit !== undefined ? [step.unit] : []))).size
    await this.#events.emit({ type: 'apply_start', plan: this.plan.plan.name, steps: this.plan.steps.length, units, at: now() })
    for (const address of this.plan.forgetSteps) {
      await this.#events.emit({ type: 'step_forgotten', address, at: now() })
      this.#result.forgotten++
    }
    const emit = (event: ApplyEvent): Promise<void> => this.#events.emit(event)
    const gates = await openGates(this.spec, this.deps, this.options, emit)
    const scope: AttemptScope = {
      spec: this.spec,
      plan: this.plan,
      deps: this.deps,
      lineage: this.state.lineage,
      options: this.options,
      records: this.state.steps,
      events: this.#events,
      fingerprints: new FingerprintMemo(),
      mutations: (cluster) => this.#mutations(cluster),
      verifies: (cluster) => this.#verifiesOf(cluster),
      gate: gates.gate,
      slot: (step, signal) => this.#slot(step, signal),
      stopping,
      aborted,
    }
    const nodes: StepNode[] = this.plan.steps.map((step) => ({
      id: step.address,
      dependsOn: step.dependsOn,
      lane: `${step.cluster}${LANE_SEPARATOR}${laneKindOf(step.kind)}`,
      step,
    }))
    const walked = await walk(
      nodes,
      {
        limit: (lane) => this.#limit(lane),
        visit: (node, release) => this.#visit(scope, node.step, release),
        skip: async (node) => {
          this.#result.skipped++
          await this.#events.emit({ type: 'step_done', address: node.step.address, kind: node.step.kind, status: 'skipped', attempt: 0, durationMs: 0, at: now() })
        },
      },
      this.#lease.stop,
    ).finally(() => gates.close())
    this.#result.interrupted = walked.stopped
    const loss = this.#lease.loss
    if (loss) {
      this.#result.leaseLost = loss
      await this.#events.emit({ type: 'lease_lost', reason: loss.reason, running: loss.running, at: now() })
    }
    const { succeeded, failed, skipped, forgotten, interrupted } = this.#result
    await this.#events.emit({ type: 'apply_done', succeeded, failed, skipped, forgotten, durationMs: Date.now() - started, interrupted, at: now() })
    return this.#result
  }
}
