import type { ScheduleSpec } from '../../plan/model.js'
import type { ApplyEvent } from '../events.js'
import type { Clock } from './clock.js'
import type { PlannedStep } from '../plan-model.js'
import { scheduleStanding } from './schedule-calendar.js'
import { writes } from './start-gate.js'
import type { StartGate } from './start-gate.js'

/** A waiting step looks at the clock again at least this often (a laptop that slept, a clock set forward). */
const LONGEST_NAP_MS = 60_000

type Emit = (event: ApplyEvent) => Promise<void>

/**
 * Holds deletes and jobs outside every window of the plan's schedule, and lets them start
 * when the next window opens; other steps pass. Says once that it waits (with when the
 * window opens) and once that the window opened, however many steps wait.
 */
export class ScheduleGate implements StartGate {
  /** When the window the held steps wait for opens; undefined while no step waits. */
  #waitingFor: number | undefined

  constructor(
    private readonly schedule: ScheduleSpec,
    private readonly emit: Emit,
    private readonly clock: Clock,
  ) {}

  async pass(step: PlannedStep, signal: AbortSignal): Promise<boolean> {
    if (!writes(step.kind)) return false
    let held = false
    for (;;) {
      if (signal.aborted) return held
      const now = this.clock.now()
      const standing = scheduleStanding(this.schedule, now)
      const at = new Date(now).toISOString()
      if (standing.open) {
        if (this.#waitingFor !== undefined) {
          this.#waitingFor = undefined
          await this.emit({ type: 'window_open', window: standing.window.text, at })
        }
        return held
      }
      held = true
      if (this.#waitingFor !== standing.changesAt) {
        this.#waitingFor = standing.changesAt
        await this.emit({ type: 'waiting_for_window', opensAt: new Date(standing.changesAt).toISOString(), window: standing.window.text, timezone: this.schedule.timezone, at })
      }
      await this.clock.sleep(Math.min(standing.changesAt - now, LONGEST_NAP_MS), signal)
    }
  }
}
