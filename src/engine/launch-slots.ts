/** A place to run in, given back once the work is over. */
export interface Slot {
  release(): void
  /** Another step waits for a place: releasing this one starts it. */
  waitedOn(): boolean
  /** The slot was not free at once: what held the step back before it may have changed. */
  waited: boolean
}

/**
 * `size` places, handed out in the order they were asked for. A wait given up (its signal
 * aborted) resolves with nothing and takes no place.
 */
export class LaunchSlots {
  #free: number
  readonly #waiting: { grant: (slot: Slot | undefined) => void }[] = []

  constructor(size: number) {
    this.#free = size
  }

  acquire(signal: AbortSignal): Promise<Slot | undefined> {
    if (signal.aborted) return Promise.resolve(undefined)
    if (this.#free > 0) {
      this.#free--
      return Promise.resolve(this.#slot(false))
    }
    return new Promise((resolve) => {
      const waiter = {
        grant: (slot: Slot | undefined): void => {
          signal.removeEventListener('abort', giveUp)
          resolve(slot)
        },
      }
      const giveUp = (): void => {
        const index = this.#waiting.indexOf(waiter)
        if (index >= 0) this.#waiting.splice(index, 1)
        resolve(undefined)
      }
      signal.addEventListener('abort', giveUp, { once: true })
      this.#waiting.push(waiter)
    })
  }

  #slot(waited: boolean): Slot {
    let released = false
    return {
      waited,
      waitedOn: () => !released && this.#waiting.length > 0,
      release: () => {
        if (released) return
        released = true
        const next = this.#waiting.shift()
        if (next) next.grant(this.#slot(true))
        else this.#free++
      },
    }
  }
}
