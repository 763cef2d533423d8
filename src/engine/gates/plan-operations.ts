import { errorMessage } from '../../common/error-text.js'
import type { Diagnostic } from '../../plan/diagnostics.js'
import type { Millis, PlanSpec } from '../../plan/model.js'
import type { LockInfo, PauseInfo } from '../../state/store.js'
import type { EngineDeps } from '../deps.js'
import { loadChecks, runLoadChecks } from './load-checks.js'
import { scheduleStanding } from './schedule-calendar.js'

export interface ScheduleNow {
  open: boolean
  timezone: string
  /** The window open now, else the one that opens next. */
  window: string
  /** When the open window closes; undefined while closed. */
  closesAt?: Millis
  nextOpen: Millis
}

export interface LoadCheckNow {
  check: string
  /** Undefined when the check could not run (`error` says why). */
  value?: number
  limit: number
  error?: string
}

/** What would hold an apply or its steps now: the state's lock, a pause, the schedule, each cluster's load. */
export interface PlanOperations {
  /** Who holds the state's lock (an apply running elsewhere, its lease); a new apply would wait for it. */
  lock?: LockInfo
  /** Why the lock's holder could not be read (no access to where the lease lives, from CI say): a warning, not a failed plan. */
  lockUnreadable?: string
  pause?: PauseInfo
  schedule?: ScheduleNow
  /** Per cluster, each load check's value now; absent without a refresh. */
  throttle?: { cluster: string; checks: LoadCheckNow[] }[]
}

/**
 * Reads what `bf plan` shows of the apply's gates: the lock holder and the pause in the state, where the clock
 * stands in the schedule, and (with a refresh) one round of each cluster's load checks.
 */
export async function planOperations(spec: PlanSpec, deps: EngineDeps, options: { refresh: boolean; now: Millis }): Promise<PlanOperations> {
  const operations: PlanOperations = {}
  const [lock, pause] = await Promise.all([
    deps.state.lockHolder().catch((error: unknown) => {
      operations.lockUnreadable = errorMessage(error)
      return undefined
    }),
    deps.state.pauseInfo(),
  ])
  if (lock) operations.lock = lock
  if (pause) operations.pause = pause
  if (spec.schedule) {
    const standing = scheduleStanding(spec.schedule, options.now)
    operations.schedule = {
      open: standing.open,
      timezone: spec.schedule.timezone,
      window: standing.window.text,
      ...(standing.open ? { closesAt: standing.changesAt } : {}),
      nextOpen: standing.nextOpen,
    }
  }
  if (spec.throttle && options.refresh) {
    operations.throttle = await Promise.all(
      spec.clusters.map(async ({ name }) => {
        const checks = loadChecks(spec, name)
        let round
        try {
          round = await runLoadChecks(checks, await deps.warehouse(name))
        } catch (error) {
          round = { readings: [], failures: checks.map((check) => ({ check: check.name, error: errorMessage(error) })) }
        }
        return {
          cluster: name,
          checks: checks.map((check): LoadCheckNow => {
            const reading = round.readings.find((found) => found.check === check.name)
            if (reading) return { check: check.name, value: reading.value, limit: check.limit }
            return { check: check.name, limit: check.limit, error: round.failures.find((failure) => failure.check === check.name)?.error ?? 'no answer' }
          }),
        }
      }),
    )
  }
  return operations
}

/** A load check that cannot run holds nothing: the plan says so, once per cluster and check; and so for a lock holder that cannot be read. */
export function operationWarnings(operations: PlanOperations): Diagnostic[] {
  const lock: Diagnostic[] =
    operations.lockUnreadable === undefined
      ? []
      : [
          {
            severity: 'warning',
            code: 'lock-unreadable',
            message: `cannot tell whether an apply holds the state's lock: ${operations.lockUnreadable}`,
            hint: 'the plan does not depend on it; to see the holder, give bf read access to where the lock lives',
          },
        ]
  return lock.concat(loadCheckWarnings(operations))
}

function loadCheckWarnings(operations: PlanOperations): Diagnostic[] {
  return (operations.throttle ?? []).flatMap(({ cluster, checks }) =>
    checks.flatMap((check): Diagnostic[] =>
      check.error === undefined
        ? []
        : [
            {
              severity: 'warning',
              code: 'load-check-unavailable',
              address: cluster,
              message: `the load check ${check.check} cannot run, so it will not hold steps: ${check.error}`,
              hint: 'fix the check or remove it from throttle',
            },
          ],
    ),
  )
}
