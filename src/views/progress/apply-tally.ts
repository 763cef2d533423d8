import type { ApplyEvent, StepOutcome } from '../../engine/events.js'
import type { StepKind } from '../../state/model.js'

export interface RunningStep {
  address: string
  kind: StepKind
  attempt: number
  /** Clock time the view saw the step start. */
  since: number
  /** The step's latest note (`mutation done on 2 of 3 hosts`). */
  note?: string
}

/**
 * What the progress views know about an apply so far, folded from its events: steps
 * finished (the latest outcome per address, so a retried step counts once), steps
 * running, and how long succeeded jobs took.
 */
export class ApplyTally {
  plan = ''
  total = 0
  /** Units the apply backfills, and those whose verify succeeded. */
  units = 0
  readonly unitsDone = new Set<string>()
  /** Clock time of `apply_start`. */
  startedAt = 0
  /** Who paused the plan and why, while it is paused. */
  paused: { by: string; reason: string } | undefined
  /** The window deletes and jobs wait for, while they wait: how long it was from opening when the view heard of it (`seenAt`, view clock). */
  waiting: { window: string; timezone: string; opensInMs: number; seenAt: number } | undefined
  /** Clusters held by a load check, with the check over its limit. */
  readonly throttled = new Map<string, { check: string; value: number; limit: number }>()
  readonly finished = new Map<string, { kind: StepKind; status: StepOutcome }>()
  readonly running = new Map<string, RunningStep>()
  readonly jobDurations: number[] = []

  record(event: ApplyEvent, now: number): void {
    switch (event.type) {
      case 'apply_start':
        this.plan = event.plan
        this.total = event.steps
        this.units = event.units ?? 0
        this.startedAt = now
        break
      case 'paused':
        this.paused = { by: event.by, reason: event.reason }
        break
      case 'resumed':
        this.paused = undefined
        break
      case 'waiting_for_window':
        this.waiting = { window: event.window, timezone: event.timezone, opensInMs: Date.parse(event.opensAt) - Date.parse(event.at), seenAt: now }
        break
      case 'window_open':
        this.waiting = undefined
        break
      case 'throttled':
        this.throttled.set(event.cluster, { check: event.check, value: event.value, limit: event.limit })
        break
      case 'unthrottled':
        this.throttled.delete(event.cluster)
        break
      case 'step_start':
        this.running.set(event.address, { address: event.address, kind: event.kind, attempt: event.attempt, since: now })
        break
      case 'step_note': {
        const step = this.running.get(event.address)
        if (step) step.note = event.message
        break
      }
      case 'step_done':
        this.running.delete(event.address)
        this.finished.set(event.address, { kind: event.kind, status: event.status })
        if (event.kind === 'job' && event.status === 'succeeded') this.jobDurations.push(event.durationMs)
        if (event.kind === 'verify' && event.status === 'succeeded' && event.unit !== undefined) this.unitsDone.add(event.unit)
        break
      default:
        break
    }
  }

  get done(): number {
    return this.finished.size
  }

  /** Units verified per hour since the apply started; undefined before the first. */
  unitsPerHour(now: number): number | undefined {
    const elapsed = now - this.startedAt
    if (this.unitsDone.size === 0 || elapsed <= 0) return undefined
    return (this.unitsDone.size * 3_600_000) / elapsed
  }

  /** Addresses whose latest attempt failed, in the order they finished. */
  failedAddresses(): string[] {
    return [...this.finished].filter(([, step]) => step.status === 'failed').map(([address]) => address)
  }

  /**
   * Time left for the jobs, from the mean duration of succeeded jobs: the jobs not yet
   * started plus what running jobs have left, spread over `concurrency` slots.
   * Undefined until a job has succeeded.
   */
  estimateRemaining(jobs: number, concurrency: number, now: number): number | undefined {
    if (this.jobDurations.length === 0) return undefined
    const mean = this.jobDurations.reduce((sum, ms) => sum + ms, 0) / this.jobDurations.length
    const running = [...this.running.values()].filter((step) => step.kind === 'job')
    const finished = [...this.finished.values()].filter((step) => step.kind === 'job').length
    const waiting = Math.max(0, jobs - finished - running.length)
    const left = running.reduce((sum, step) => sum + Math.max(0, mean - (now - step.since)), 0)
    return (waiting * mean + left) / Math.max(1, concurrency)
  }
}
