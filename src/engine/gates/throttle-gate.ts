import type { ApplyEvent } from '../events.js'
import type { PlannedStep } from '../plan-model.js'
import type { Clock } from './clock.js'
import { overLimit } from './load-checks.js'
import type { LoadReading, LoadRound } from './load-checks.js'
import { writes } from './start-gate.js'
import type { StartGate } from './start-gate.js'

type Emit = (event: ApplyEvent) => Promise<void>

/** One cluster's throttle: the last round's verdict, and the round under way that every waiting step shares. */
class ClusterLoad {
  over: LoadReading | undefined
  checkedAt = Number.NEGATIVE_INFINITY
  round: Promise<void> | undefined
  /** Checks already reported as unable to run: said once per apply. */
  readonly failed = new Set<string>()
}

/**
 * Holds deletes and jobs of a cluster while one of its load checks is over its limit.
 * The checks run before each delete or job starts (steps starting together share one
 * round) and, while the cluster is throttled, once every `intervalMs` for all the steps
 * held there. Other clusters are not held. `throttled` and `unthrottled` are told once
 * per change, not per step.
 */
export class ThrottleGate implements StartGate {
  readonly #clusters = new Map<string, ClusterLoad>()

  constructor(
    private readonly measure: (cluster: string) => Promise<LoadRound>,
    private readonly intervalMs: number,
    private readonly emit: Emit,
    private readonly clock: Clock,
  ) {}

  async pass(step: PlannedStep, signal: AbortSignal): Promise<boolean> {
    if (!writes(step.kind)) return false
    const load = this.#load(step.cluster)
    let held = false
    for (;;) {
      if (load.over) {
        // Throttled: wait for the next round rather than adding one per waiting step.
        const wait = load.checkedAt + this.intervalMs - this.clock.now()
        if (wait > 0) await this.clock.sleep(wait, signal)
      }
      if (signal.aborted) return held
      await this.#check(step.cluster, load)
      if (!load.over) return held
      held = true
    }
  }

  #load(cluster: string): ClusterLoad {
    let load = this.#clusters.get(cluster)
    if (!load) this.#clusters.set(cluster, (load = new ClusterLoad()))
    return load
  }

  /** Runs a round, or joins the one under way. */
  #check(cluster: string, load: ClusterLoad): Promise<void> {
    load.round ??= this.#round(cluster, load).finally(() => (load.round = undefined))
    return load.round
  }

  async #round(cluster: string, load: ClusterLoad): Promise<void> {
    const round = await this.measure(cluster)
    const at = new Date(this.clock.now()).toISOString()
    load.checkedAt = this.clock.now()
    for (const failure of round.failures) {
      if (load.failed.has(failure.check)) continue
      load.failed.add(failure.check)
      await this.emit({ type: 'warning', message: `cluster ${cluster}: the load check ${failure.check} cannot run, so it does not hold steps: ${failure.error}`, at })
    }
    const over = overLimit(round)
    const was = load.over
    load.over = over
    if (over && (!was || was.check !== over.check)) await this.emit({ type: 'throttled', cluster, check: over.check, value: over.value, limit: over.limit, at })
    else if (!over && was) await this.emit({ type: 'unthrottled', cluster, at })
  }
}
