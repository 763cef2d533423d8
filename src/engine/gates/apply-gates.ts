import { errorMessage } from '../../common/error-text.js'
import type { PlanSpec } from '../../plan/model.js'
import type { EngineDeps } from '../deps.js'
import type { ApplyEvent } from '../events.js'
import type { Clock } from './clock.js'
import { realClock } from './clock.js'
import { loadChecks, runLoadChecks } from './load-checks.js'
import type { LoadRound } from './load-checks.js'
import { PauseGate } from './pause-gate.js'
import { ScheduleGate } from './schedule-gate.js'
import { allGates } from './start-gate.js'
import type { StartGate } from './start-gate.js'
import { ThrottleGate } from './throttle-gate.js'

export interface GateOptions {
  /** `bf apply --ignore-schedule`. */
  ignoreSchedule?: boolean
  clock?: Clock
  /** How often the pause is looked for. */
  pausePollMs?: number
}

export interface ApplyGates {
  gate: StartGate
  /** Stops watching for a pause; call once the walk is over. */
  close(): Promise<void>
}

/** One round of a cluster's load checks; a cluster that cannot be reached fails every check, which holds nothing. */
function measureLoad(spec: PlanSpec, deps: EngineDeps): (cluster: string) => Promise<LoadRound> {
  return async (cluster) => {
    const checks = loadChecks(spec, cluster)
    try {
      return await runLoadChecks(checks, await deps.warehouse(cluster))
    } catch (error) {
      return { readings: [], failures: checks.map((check) => ({ check: check.name, error: errorMessage(error) })) }
    }
  }
}

/** The gates of one apply: the pause always, the schedule and the load checks when the plan has them. */
export async function openGates(spec: PlanSpec, deps: EngineDeps, options: GateOptions, emit: (event: ApplyEvent) => Promise<void>): Promise<ApplyGates> {
  const clock = options.clock ?? realClock
  const pause = new PauseGate(() => deps.state.pauseInfo(), emit, clock, options.pausePollMs)
  const gates: StartGate[] = [pause]
  if (spec.schedule && !options.ignoreSchedule) gates.push(new ScheduleGate(spec.schedule, emit, clock))
  if (spec.throttle) gates.push(new ThrottleGate(measureLoad(spec, deps), spec.throttle.intervalMs, emit, clock))
  await pause.start()
  return { gate: allGates(gates), close: () => pause.stop() }
}
