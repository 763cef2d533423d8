import type { Clock } from '../../src/engine/gates/clock.js'

interface Timer {
  due: number
  resolve: () => void
}

/**
 * A clock the test moves: `sleep` resolves only when `advance` (or `set`) passes its due
 * time, or at once when its signal aborts. Time never moves by itself.
 */
export class FakeClock implements Clock {
  #now: number
  readonly #timers = new Set<Timer>()

  constructor(start: number | string) {
    this.#now = typeof start === 'string' ? Date.parse(start) : start
  }

  now(): number {
    return this.#now
  }

  /** Sleeps waiting now. */
  get sleepers(): number {
    return this.#timers.size
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const timer: Timer = {
        due: this.#now + Math.max(0, ms),
        resolve: () => {
          this.#timers.delete(timer)
          signal.removeEventListener('abort', timer.resolve)
          resolve()
        },
      }
      this.#timers.add(timer)
      signal.addEventListener('abort', timer.resolve, { once: true })
    })
  }

  /** Moves time on by `ms` and wakes every sleep now due. */
  advance(ms: number): void {
    this.set(this.#now + ms)
  }

  set(to: number | string): void {
    this.#now = typeof to === 'string' ? Date.parse(to) : to
    for (const timer of [...this.#timers]) if (timer.due <= this.#now) timer.resolve()
  }
}
