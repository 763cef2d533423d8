import type { ApplyEvent } from '../../engine/events.js'

/** Where a progress view writes: the command passes stdout (or a buffer in tests). */
export interface TextSink {
  write(text: string): void
}

/** Shows an apply as it happens. Subscribes to the executor's events; formats, never decides. */
export interface ProgressView {
  onEvent(event: ApplyEvent): void
  /** Stops timers and leaves the output in a clean state; call once, after the last event. */
  close(): void
}
