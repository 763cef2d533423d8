import { errorMessage } from '../../common/error-text.js'
import type { PauseInfo } from '../../state/store.js'
import type { ApplyEvent } from '../events.js'
import type { Clock } from './clock.js'
import type { StartGate } from './start-gate.js'

/** How often a running apply looks for a pause: `bf pause` takes effect within about this long. */
export const PAUSE_POLL_MS = 1_000

type Emit = (event: ApplyEvent) => Promise<void>

/**
 * Holds every step while the plan is paused (`bf pause`), wherever the pause was made:
 * the state store is read every `PAUSE_POLL_MS` while the apply runs. Steps already
 * running go on; `resumed` lets the held ones start.
 */
export class PauseGate implements StartGate {
  #pause: PauseInfo | undefined
  #released: (() => void) | undefined
  #resumedAt: Promise<void> = Promise.resolve()
  readonly #done = new AbortController()
  #loop: Promise<void> | undefined
  #lastProblem = ''

  constructor(
    private readonly read: () => Promise<PauseInfo | undefined>,
    private readonly emit: Emit,
    private readonly clock: Clock,
    private readonly intervalMs = PAUSE_POLL_MS,
  ) {}

  /** Reads the pause once (so a pause made before the apply holds its first step), then keeps watching. */
  async start(): Promise<void> {
    await this.#refresh()
    this.#loop = this.#watch()
  }

  async #watch(): Promise<void> {
    for (;;) {
      await this.clock.sleep(this.intervalMs, this.#done.signal)
      if (this.#done.signal.aborted) return
      await this.#refresh()
    }
  }

  async #refresh(): Promise<void> {
    let pause: PauseInfo | undefined
    try {
      pause = await this.read()
      this.#lastProblem = ''
    } catch (error) {
      // An unreadable pause changes nothing; say so once, not every second.
      const problem = `cannot read whether the plan is paused: ${errorMessage(error)}`
      if (problem !== this.#lastProblem) await this.emit({ type: 'warning', message: problem, at: new Date(this.clock.now()).toISOString() })
      this.#lastProblem = problem
      return
    }
    const was = this.#pause
    if (pause && !was) {
      this.#pause = pause
      this.#resumedAt = new Promise((resolve) => (this.#released = resolve))
      await this.emit({ type: 'paused', by: `${pause.who}@${pause.host} (pid ${pause.pid})`, reason: pause.reason, since: pause.since, at: new Date(this.clock.now()).toISOString() })
    } else if (!pause && was) {
      this.#pause = undefined
      this.#released?.()
      await this.emit({ type: 'resumed', at: new Date(this.clock.now()).toISOString() })
    } else if (pause) {
      this.#pause = pause
    }
  }

  async pass(_step: unknown, signal: AbortSignal): Promise<boolean> {
    if (!this.#pause) return false
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve()
      const done = (): void => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
      void this.#resumedAt.then(done)
    })
    return true
  }

  async stop(): Promise<void> {
    this.#done.abort()
    this.#released?.()
    await this.#loop
  }
}
