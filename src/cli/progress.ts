import type { ApplyEvent } from '../engine/events.js'
import { JsonEventsView } from '../views/progress/json-events.js'
import { LineProgressView } from '../views/progress/line-progress.js'
import { LiveProgressView } from '../views/progress/live-progress.js'
import type { ProgressView } from '../views/progress/progress-view.js'
import { GatheringSink } from './gathering-sink.js'

const stdout = { write: (text: string) => void process.stdout.write(text) }

export interface ProgressChoice {
  json: boolean
  color: boolean
  /** Job steps to run and jobs at once, known once the plan is made (for the ETA). */
  workload: () => { jobs: number; concurrency: number }
}

/** A progress view whose lines may wait a moment to go out together. */
export interface BufferedProgressView extends ProgressView {
  /** Writes the lines that wait, before something else writes (a warning on stderr). */
  flush(): void
}

/**
 * `--json`: one JSON event per line; a terminal: a live block; otherwise one line per step
 * event. The view is made at the first event, when the plan is known. Lines for a log or
 * a pipe go out together, a tenth of a second at most after they are made (`GatheringSink`).
 */
export function progressView(choice: ProgressChoice): BufferedProgressView {
  let view: ProgressView | undefined
  let buffered: GatheringSink | undefined
  const make = (): ProgressView => {
    if (!choice.json && process.stdout.isTTY) {
      return new LiveProgressView(stdout, { color: choice.color, columns: process.stdout.columns || 100, rows: process.stdout.rows, ...choice.workload() })
    }
    buffered = new GatheringSink(stdout.write)
    if (choice.json) return new JsonEventsView(buffered)
    return new LineProgressView(buffered, { color: choice.color, ...choice.workload() })
  }
  return {
    onEvent(event: ApplyEvent) {
      view ??= make()
      view.onEvent(event)
    },
    flush() {
      buffered?.flush()
    },
    close() {
      view?.close()
      buffered?.close()
    },
  }
}
