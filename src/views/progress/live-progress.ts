import type { ChalkInstance } from 'chalk'
import { createLogUpdate } from 'log-update'
import type { ApplyEvent } from '../../engine/events.js'
import { fitColumns } from '../fit-columns.js'
import { palette } from '../palette.js'
import { formatNumber, oneLine } from '../text.js'
import { renderApplySummary } from './apply-summary.js'
import { ApplyTally } from './apply-tally.js'
import { formatElapsed } from './elapsed.js'
import { operationLine } from './operation-lines.js'
import { etaFigure, holdLines, unitFigures } from './progress-figures.js'
import type { ProgressView, TextSink } from './progress-view.js'
import { interruptLine, leaseLostLine, stepDoneLines } from './step-lines.js'
import { realInterval } from './ticker.js'

const REDRAW_MS = 100
const RUNNING_SHOWN = 8

export interface LiveProgressOptions {
  color: boolean
  /** Terminal width: block lines are cut to it, so a redraw always covers what it replaces. */
  columns: number
  /** Terminal height: a block taller than it loses its first lines (24 when not given). */
  rows?: number
  /** Job steps in the run and how many run at once in all: the ETA is made from them. */
  jobs: number
  concurrency: number
  /** Milliseconds now; `Date.now` unless a test drives time. */
  clock?: () => number
  /** Calls `tick` every `ms` until the returned stop function is called; a real interval by default. */
  every?: (ms: number, tick: () => void) => () => void
}

type LiveBlock = ReturnType<typeof createLogUpdate>

/** The block as log-update draws it on `sink`, which it sees as a terminal of the given size. */
function liveBlock(sink: TextSink, options: LiveProgressOptions): LiveBlock {
  const terminal = {
    columns: options.columns,
    rows: options.rows,
    write: (text: string): boolean => {
      sink.write(text)
      return true
    },
  }
  // log-update reads no more of its stream than `write`, `columns`, `rows` and `isTTY`.
  // showCursor: the cursor stays as it was, and log-update registers no exit handler to restore it.
  return createLogUpdate(terminal as unknown as NodeJS.WritableStream, { showCursor: true })
}

/**
 * Progress for a terminal: a block redrawn in place (at most every 100 ms) with steps
 * done of total, units verified and how many an hour, failures, an ETA from finished job
 * durations, what holds steps back (a pause, the schedule, a throttled cluster), and the
 * running steps with their elapsed time and latest note (a Kubernetes pod's phase). Failures, warnings and interrupts are
 * printed above the block and stay; the apply ends with its summary in place of the block.
 */
export class LiveProgressView implements ProgressView {
  private readonly tally = new ApplyTally()
  private readonly c: ChalkInstance
  private readonly clock: () => number
  private stopTicking: (() => void) | undefined
  private started = false
  private finished = false
  private readonly live: LiveBlock
  private drawnText = ''
  private lastDraw = Number.NEGATIVE_INFINITY

  constructor(
    private readonly sink: TextSink,
    private readonly options: LiveProgressOptions,
  ) {
    this.c = palette(options.color)
    this.clock = options.clock ?? Date.now
    this.live = liveBlock(sink, options)
    this.stopTicking = (options.every ?? realInterval)(REDRAW_MS, () => this.tick())
  }

  /** One column short of the width: a line filling the last column would wrap on some terminals. */
  private fit(text: string): string {
    return fitColumns(text, Math.max(20, this.options.columns - 1))
  }

  private block(now: number): string {
    const { c, tally } = this
    const failed = tally.failedAddresses().length
    const parts = [`${formatNumber(tally.done)}/${formatNumber(tally.total)} steps done`, ...unitFigures(tally, now), `${formatNumber(tally.running.size)} running`]
    if (failed > 0) parts.push(`${formatNumber(failed)} failed`)
    parts.push(...etaFigure(tally, this.options.jobs, this.options.concurrency, now))
    const lines = [c.bold(this.fit(`Applying ${oneLine(tally.plan)}: ${parts.join(' · ')}`))]
    for (const hold of holdLines(tally, now)) lines.push(c.yellow(this.fit(`  ⏸ ${oneLine(hold)}`)))
    const running = [...tally.running.values()].sort((a, b) => a.since - b.since)
    for (const step of running.slice(0, RUNNING_SHOWN)) {
      const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : ''
      const note = step.note === undefined ? '' : `  ${oneLine(step.note)}`
      const text = this.fit(`  ▸ ${oneLine(step.address)}${attempt}  ${formatElapsed(now - step.since)}${note}`)
      lines.push(`  ${c.cyan('▸')}${text.slice(3)}`)
    }
    if (running.length > RUNNING_SHOWN) lines.push(c.dim(`  +${formatNumber(running.length - RUNNING_SHOWN)} more`))
    return lines.map((line) => `${line}\n`).join('')
  }

  private erase(): void {
    this.live.clear()
    this.drawnText = ''
  }

  private draw(now: number, force: boolean): void {
    if (!this.started || this.finished) return
    const text = this.block(now)
    if (!force && text === this.drawnText) return
    this.live(text)
    this.drawnText = text
    this.lastDraw = now
  }

  /** Writes lines above the block, which is then drawn again below them. */
  private print(lines: string[], now: number): void {
    this.erase()
    // Not through log-update's persist(), which would cut a long log tail to the terminal's height.
    this.sink.write(lines.map((line) => `${line}\n`).join(''))
    this.draw(now, true)
  }

  /** Redraws when something changed or a running step's time moved on. */
  tick(): void {
    const now = this.clock()
    if (now - this.lastDraw >= REDRAW_MS) this.draw(now, false)
  }

  onEvent(event: ApplyEvent): void {
    const now = this.clock()
    this.tally.record(event, now)
    const { c } = this
    switch (event.type) {
      case 'apply_start':
        this.started = true
        this.draw(now, true)
        return
      case 'step_done':
        if (event.status === 'failed') return this.print(stepDoneLines(event, c, '    '), now)
        return this.tick()
      case 'warning':
        return this.print([`${c.yellow.bold('Warning:')} ${oneLine(event.message)}`], now)
      case 'interrupt':
        return this.print([interruptLine(event, c)], now)
      case 'lease_lost':
        return this.print([leaseLostLine(event, c)], now)
      case 'paused':
      case 'resumed':
      case 'waiting_for_window':
      case 'window_open':
      case 'throttled':
      case 'unthrottled':
        return this.print([operationLine(event, c)], now)
      case 'apply_done': {
        const { succeeded, failed, skipped, forgotten, interrupted, durationMs } = event
        const summary = renderApplySummary({ succeeded, failed, skipped, forgotten, interrupted, durationMs, failedAddresses: this.tally.failedAddresses() }, { color: c.level > 0 })
        this.erase()
        this.sink.write(summary)
        this.finished = true
        this.stop()
        return
      }
      case 'step_forgotten':
      case 'step_progress':
      case 'attempt_done':
        // What only the state records changes nothing on screen.
        return
      default:
        return this.tick()
    }
  }

  private stop(): void {
    this.stopTicking?.()
    this.stopTicking = undefined
  }

  close(): void {
    this.stop()
    if (!this.finished) this.draw(this.clock(), true)
    this.live.done()
    this.finished = true
  }
}
