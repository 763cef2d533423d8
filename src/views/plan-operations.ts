import type { ChalkInstance } from 'chalk'
import type { PlanOperations } from '../engine/gates/plan-operations.js'
import { formatTimestamp } from '../plan/timestamp.js'
import { describeLockHolder } from '../state/lock-held-error.js'
import { describePause } from './pause-text.js'
import { formatElapsed } from './progress/elapsed.js'
import { formatLoad } from './progress/operation-lines.js'
import { displayId, oneLine } from './text.js'

/** `bf plan`'s lines on what would hold the apply or its steps: the state's lock holder, a pause, the schedule, each cluster's load now. */
export function* operationsLines(operations: PlanOperations | undefined, now: number, c: ChalkInstance): Generator<string> {
  if (!operations) return
  const lines: string[] = []
  if (operations.lock) lines.push(c.yellow(`Locked: ${describeLockHolder(operations.lock)} holds the state; bf apply must wait for it to end (--lock-timeout).`))
  if (operations.pause) lines.push(c.yellow.bold(`Paused: ${describePause(operations.pause)}. bf apply starts no step until bf resume.`))
  const schedule = operations.schedule
  if (schedule) {
    const zone = oneLine(schedule.timezone)
    if (schedule.open && schedule.closesAt !== undefined) {
      lines.push(`Schedule: open now (window ${oneLine(schedule.window)} ${zone}, closes in ${formatElapsed(schedule.closesAt - now)} at ${formatTimestamp(schedule.closesAt)}).`)
    } else {
      lines.push(
        c.yellow(`Schedule: closed now; deletes and jobs wait for the window ${oneLine(schedule.window)} ${zone}, opens in ${formatElapsed(schedule.nextOpen - now)} at ${formatTimestamp(schedule.nextOpen)}.`),
      )
    }
  }
  for (const { cluster, checks } of operations.throttle ?? []) {
    const shown = checks.map((check) => {
      const limit = formatLoad(check.check, check.limit)
      if (check.value === undefined) return `${oneLine(check.check)} cannot run (limit ${limit})`
      const over = check.value > check.limit
      const text = `${oneLine(check.check)} ${formatLoad(check.check, check.value)} ${over ? '>' : '≤'} ${limit}`
      return over ? c.yellow(text) : text
    })
    const held = checks.some((check) => check.value !== undefined && check.value > check.limit)
    lines.push(`Load on ${displayId(cluster)}: ${shown.join(', ')}${held ? c.yellow('; over a limit: apply would wait') : ''}.`)
  }
  if (lines.length === 0) return
  yield ''
  yield* lines
}
