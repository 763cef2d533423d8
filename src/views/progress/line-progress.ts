import type { ChalkInstance } from 'chalk'
import type { ApplyEvent } from '../../engine/events.js'
import { palette } from '../palette.js'
import { formatNumber, oneLine } from '../text.js'
import { renderApplySummary } from './apply-summary.js'
import { formatElapsed } from './elapsed.js'
import { operationLine } from './operation-lines.js'
import { etaFigure, holdLines, unitFigures } from './progress-figures.js'
import { ApplyTally } from './apply-tally.js'
import type { ProgressView, TextSink } from './progress-view.js'
import { interruptLine, leaseLostLine, stepDoneLines } from './step-lines.js'
import { realInterval } from './ticker.js'

/** A log that stays quiet this long while something runs gets a line saying where the apply is. */
export const HEARTBEAT_MS = 30_000
const HEARTBEAT_CHECK_MS = 5_000

export interface LineProgressOptions {
  color: boolean
  /** Job steps in the run and how many run at once in all: the ETA is made from them. */
  jobs?: number
  concurrency?: number
  /** Milliseconds now; `Date.now` unless a test drives time. */
  clock?: () => number
  /** Calls `tick` every `ms` until the returned stop function is called; a real interval by default. */
  every?: (ms: number, tick: () => void) => () => void
}

/**
 * Progress for logs and pipes: one line per step event, never redrawn. A finished step
 * shows its place in the run (`[12/98] ✓ us-east-1-prod/alaska-air/2026-01-03/job
 * (1m02s)`); a failure its error and log tail; a pause, the schedule or a cluster's load
 * holding steps a line when it starts and ends. While anything runs or waits, a quiet
 * log gets a line with the running steps, units, throughput and ETA at least every 30 s.
 * The apply ends with its summary and how long it took.
 */
export class LineProgressView implements ProgressView {
  private readonly tally = new ApplyTally()
  private readonly c: ChalkInstance
  private readonly clock: () => number
  private stopTicking: (() => void) | undefined
  private lastLine = 0

  constructor(
    private readonly sink: TextSink,
    private readonly options: LineProgressOptions,
  ) {
    this.c = palette(options.color)
    this.clock = options.clock ?? Date.now
    this.stopTicking = (options.every ?? realInterval)(HEARTBEAT_CHECK_MS, () => this.tick())
  }

  /** Writes a line where the apply stands when the log was quiet for `HEARTBEAT_MS` and something runs or waits. */
  tick(): void {
    const now = this.clock()
    const { tally } = this
    const holds = holdLines(tally, now)
    if (now - this.lastLine < HEARTBEAT_MS || (tally.running.size === 0 && holds.length === 0) || tally.total === 0) return
    const running = [...tally.running.values()].sort((a, b) => a.since - b.since)
    const shown = running.slice(0, 3).map((step) => `${oneLine(step.address)} ${formatElapsed(now - step.since)}${step.note === undefined ? '' : ` (${oneLine(step.note)})`}`)
    const more = running.length > shown.length ? `, +${formatNumber(running.length - shown.length)} more` : ''
    const parts = [`${formatNumber(running.length)} running${shown.length > 0 ? `: ${shown.join(', ')}${more}` : ''}`]
    parts.push(...unitFigures(tally, now), ...etaFigure(tally, this.options.jobs ?? 0, this.options.concurrency ?? 1, now))
    const lines = [`${this.counter()} ${this.c.dim(`… ${parts.join(' · ')}`)}`, ...holds.map((hold) => `${this.blank()} ${this.c.yellow(`… ${hold}`)}`)]
    this.write(lines, now)
  }

  private write(lines: string[], now: number): void {
    this.sink.write(`${lines.join('\n')}\n`)
    this.lastLine = now
  }

  private counter(): string {
    const total = String(this.tally.total)
    return `[${String(this.tally.done).padStart(total.length)}/${total}]`
  }

  private blank(): string {
    return ' '.repeat(this.counter().length)
  }

  private lines(event: ApplyEvent): string[] {
    const { c } = this
    switch (event.type) {
      case 'apply_start':
        return [c.bold(`Applying ${oneLine(event.plan)}: ${formatNumber(event.steps)} steps.`)]
      case 'step_start':
        return [`${this.blank()} ${c.cyan('▸')} ${oneLine(event.address)} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`]
      case 'step_note':
        return [c.dim(`${this.blank()} · ${oneLine(event.address)}: ${oneLine(event.message)}`)]
      case 'step_done': {
        const [first = '', ...more] = stepDoneLines(event, c, `${this.blank()}   `)
        return [`${this.counter()} ${first}`, ...more]
      }
      case 'warning':
        return [`${c.yellow.bold('Warning:')} ${oneLine(event.message)}`]
      case 'paused':
      case 'resumed':
      case 'waiting_for_window':
      case 'window_open':
      case 'throttled':
      case 'unthrottled':
        return [operationLine(event, c)]
      case 'interrupt':
        return [interruptLine(event, c)]
      case 'lease_lost':
        return [leaseLostLine(event, c)]
      case 'apply_done': {
        const { succeeded, failed, skipped, forgotten, interrupted, durationMs } = event
        const counts = { succeeded, failed, skipped, forgotten, interrupted, durationMs, failedAddresses: this.tally.failedAddresses() }
        return ['', renderApplySummary(counts, { color: c.level > 0 }).trimEnd()]
      }
      default:
        // What the state records (forgotten steps, outputs, an attempt's end) is not shown line by line.
        return []
    }
  }

  onEvent(event: ApplyEvent): void {
    const now = this.clock()
    this.tally.record(event, now)
    if (event.type === 'apply_start') this.lastLine = now
    const lines = this.lines(event)
    if (lines.length > 0) this.write(lines, now)
    if (event.type === 'apply_done') this.close()
  }

  close(): void {
    this.stopTicking?.()
    this.stopTicking = undefined
  }
}
