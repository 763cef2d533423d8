import type { StepEvent } from './model.js'

interface Waiting {
  event: StepEvent
  resolve: (serial: number) => void
  reject: (error: unknown) => void
  written: Promise<unknown>
}

/**
 * Group commit: events appended while no write is under way wait for the next one, and
 * every event waiting then goes in it together; each append is answered with its serial
 * once that write is done, or rejected with its error. A deferred event calls for no write
 * of its own: it goes with the next one, or with `flush`.
 */
export class GroupCommit {
  #waiting: Waiting[] = []
  #scheduled = false

  /**
   * `schedule` runs the write it is given (a store queues it behind its other writes);
   * `write` writes the events in order and returns their serials.
   */
  constructor(
    private readonly schedule: (write: () => Promise<void>) => void,
    private readonly write: (events: StepEvent[]) => Promise<number[]>,
  ) {}

  add(event: StepEvent, deferred = false): Promise<number> {
    let settle: Pick<Waiting, 'resolve' | 'reject'> | undefined
    const serial = new Promise<number>((resolve, reject) => (settle = { resolve, reject }))
    this.#waiting.push({ event, ...(settle as Pick<Waiting, 'resolve' | 'reject'>), written: serial.catch(() => undefined) })
    if (!deferred) this.#scheduleWrite()
    return serial
  }

  /** Writes what waits, deferred events included; resolves once they are written or have failed. */
  async flush(): Promise<void> {
    if (this.#waiting.length === 0) return
    const written = this.#waiting.map((waiting) => waiting.written)
    this.#scheduleWrite()
    await Promise.all(written)
  }

  #scheduleWrite(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    // After this turn of the event loop: events emitted in the same turn (one step's end
    // and the next step's start) ride along.
    setImmediate(() => this.schedule(() => this.#writeWaiting()))
  }

  async #writeWaiting(): Promise<void> {
    this.#scheduled = false
    const batch = this.#waiting.splice(0)
    if (batch.length === 0) return
    try {
      const serials = await this.write(batch.map((waiting) => waiting.event))
      for (const [index, waiting] of batch.entries()) waiting.resolve(serials[index] as number)
    } catch (error) {
      for (const waiting of batch) waiting.reject(error)
    }
  }
}
