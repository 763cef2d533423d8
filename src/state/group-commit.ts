import type { StepEvent } from './model.js'

interface Waiting {
  event: StepEvent
  resolve: (serial: number) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: events appended while no write is under way wait for the next one, and
 * every event waiting then goes in it together; each append is answered with its serial
 * once that write is done, or rejected with its error.
 */
export class GroupCommit {
  #waiting: Waiting[] = []

  /**
   * `schedule` runs the write it is given (a store queues it behind its other writes);
   * `write` writes the events in order and returns their serials.
   */
  constructor(
    private readonly schedule: (write: () => Promise<void>) => void,
    private readonly write: (events: StepEvent[]) => Promise<number[]>,
  ) {}

  add(event: StepEvent): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#waiting.push({ event, resolve, reject })
      // The first to wait schedules the write, after this turn of the event loop: events
      // emitted in the same turn (one step's end and the next step's start) ride along.
      if (this.#waiting.length === 1) setImmediate(() => this.schedule(() => this.#writeWaiting()))
    })
  }

  async #writeWaiting(): Promise<void> {
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
