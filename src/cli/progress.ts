import type { ApplyEvent } from '../engine/events.js'
import { JsonEventsView } from '../views/progress/json-events.js'
import { LineProgressView } from '../views/progress/line-progress.js'
import { LiveProgressView } from '../views/progress/live-progress.js'
import type { ProgressView } from '../views/progress/progress-view.js'

const stdout = { write: (text: string) => void process.stdout.write(text) }

export interface ProgressChoice {
  json: boolean
  color: boolean
  /** Job steps to run and jobs at once, known once the plan is made (for the ETA). */
  workload: () => { jobs: number; concurrency: number }
}

/**
 * `--json`: one JSON event per line; a terminal: a live block; otherwise one line per step
 * event. The view is made at the first event, when the plan is known.
 */
export function progressView(choice: ProgressChoice): ProgressView {
  let view: ProgressView | undefined
  const make = (): ProgressView => {
    if (choice.json) return new JsonEventsView(stdout)
    if (process.stdout.isTTY) return new LiveProgressView(stdout, { color: choice.color, columns: process.stdout.columns || 100, rows: process.stdout.rows, ...choice.workload() })
    return new LineProgressView(stdout, { color: choice.color, ...choice.workload() })
  }
  return {
    onEvent(event: ApplyEvent) {
      view ??= make()
      view.onEvent(event)
    },
    close() {
      view?.close()
    },
  }
}
