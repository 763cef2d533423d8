import type { ChalkInstance } from 'chalk'
import type { ApplyEvent } from '../../engine/events.js'
import { linesOf, oneLine, plural, printable } from '../text.js'
import { formatElapsed } from './elapsed.js'

type StepDone = Extract<ApplyEvent, { type: 'step_done' }>

/** `(1m02s)`, or `(attempt 2, 1m02s)` for a retry. */
function durationNote(event: StepDone): string {
  const took = formatElapsed(event.durationMs)
  return event.attempt > 1 ? `(attempt ${event.attempt}, ${took})` : `(${took})`
}

/** `✓ address (1m02s)`, `✗ address failed: error (1m02s)` and the log tail, `- address skipped`. */
export function stepDoneLines(event: StepDone, c: ChalkInstance, indent: string): string[] {
  const address = oneLine(event.address)
  if (event.status === 'succeeded') return [`${c.green('✓')} ${address} ${c.dim(durationNote(event))}`]
  if (event.status === 'skipped') return [`${c.dim('-')} ${address} ${c.dim('skipped')}`]
  const [first = '', ...more] = linesOf(printable(event.error?.trim() || 'no error given'))
  const lines = [`${c.red('✗')} ${address} ${c.red('failed:')} ${first} ${c.dim(durationNote(event))}`]
  for (const line of more) lines.push(`${indent}${line}`)
  if (event.logTail !== undefined && event.logTail.trim() !== '') {
    for (const line of linesOf(printable(event.logTail))) lines.push(c.dim(`${indent}│ ${line}`.trimEnd()))
  }
  return lines
}

/** What an interrupt means for the run, in one line. */
export function interruptLine(event: Extract<ApplyEvent, { type: 'interrupt' }>, c: ChalkInstance): string {
  const signal = oneLine(event.signal)
  return event.immediate
    ? c.yellow.bold(`Stopping now (${signal}): running steps are left as they are and resume on the next apply.`)
    : c.yellow.bold(`Interrupted (${signal}): no new steps start; running steps finish. Interrupt again to stop at once.`)
}

/** Losing the state's lease, in one line: the apply stops at once. */
export function leaseLostLine(event: Extract<ApplyEvent, { type: 'lease_lost' }>, c: ChalkInstance): string {
  const running = event.running.length === 0 ? 'no step was running' : `${plural(event.running.length, 'step')} left running for the next apply to reconcile`
  return c.red.bold(`Lease lost — ${oneLine(event.reason).replace(/\.$/, '')}. Nothing more starts or is recorded; ${running}.`)
}
