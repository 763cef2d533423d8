import type { TextSink } from '../views/progress/progress-view.js'

/** How long a line may wait for others to go out with it. */
const GATHER_MS = 100

/**
 * Sends what is written within a tenth of a second in one write: stdout to a file or a
 * pipe writes synchronously, and an apply's log of thousands of steps would otherwise cost
 * the engine a system call per line. `flush` sends what waits at once (before anything
 * else writes, and when the process exits).
 */
export class GatheringSink implements TextSink {
  #pending = ''
  #scheduled = false

  constructor(private readonly target: (text: string) => void) {
    if (open.size === 0) process.once('exit', flushOpen)
    open.add(this)
  }

  write(text: string): void {
    this.#pending += text
    if (this.#scheduled) return
    this.#scheduled = true
    setTimeout(() => this.flush(), GATHER_MS).unref()
  }

  flush(): void {
    this.#scheduled = false
    if (this.#pending === '') return
    const text = this.#pending
    this.#pending = ''
    this.target(text)
  }

  /** Sends what waits; nothing is written after. */
  close(): void {
    this.flush()
    open.delete(this)
    if (open.size === 0) process.off('exit', flushOpen)
  }
}

/** Sinks not closed yet: what they hold is written when the process exits. */
const open = new Set<GatheringSink>()

function flushOpen(): void {
  for (const sink of open) sink.flush()
}
