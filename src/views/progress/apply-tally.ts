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
  readonly finished = new Map<string, { kind: StepKind; status: StepOutcome }>()
  readonly running = new Map<string, RunningStep>()
  readonly jobDurations: number[] = []

  record(event: ApplyEvent, now: number): void {
    switch (event.type) {
      case 'apply_start':
        this.plan = event.plan
        this.total = event.steps
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
        break
      default:
        break
    }
  }

  get done(): number {
    return this.finished.size
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
