import type { ChalkInstance } from 'chalk'
import type { ApplyEvent } from '../../engine/events.js'
import { palette } from '../palette.js'
import { formatNumber, oneLine } from '../text.js'
import { renderApplySummary } from './apply-summary.js'
import { ApplyTally } from './apply-tally.js'
import type { ProgressView, TextSink } from './progress-view.js'
import { interruptLine, stepDoneLines } from './step-lines.js'

/**
 * Progress for logs and pipes: one line per step event, never redrawn. A finished step
 * shows its place in the run (`[12/98] ✓ us-east-1-prod/alaska-air/2026-01-03/job
 * (1m02s)`); a failure its error and log tail; the apply ends with its summary.
 */
export class LineProgressView implements ProgressView {
  private readonly tally = new ApplyTally()
  private readonly c: ChalkInstance

  constructor(
    private readonly sink: TextSink,
    options: { color: boolean },
  ) {
    this.c = palette(options.color)
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
      case 'interrupt':
        return [interruptLine(event, c)]
      case 'apply_done': {
        const { succeeded, failed, skipped, forgotten, interrupted } = event
        const counts = { succeeded, failed, skipped, forgotten, interrupted, failedAddresses: this.tally.failedAddresses() }
        return ['', renderApplySummary(counts, { color: c.level > 0 }).trimEnd()]
      }
      default:
        // What the state records (forgotten steps, outputs, an attempt's end) is not shown line by line.
        return []
    }
  }

  onEvent(event: ApplyEvent): void {
    this.tally.record(event, 0)
    const lines = this.lines(event)
    if (lines.length > 0) this.sink.write(`${lines.join('\n')}\n`)
  }

  close(): void {}
}
