import type { MutationLookup, MutationStatus, Warehouse } from '../warehouse/warehouse.js'

export type PollOutcome = { status: MutationStatus | undefined } | { error: unknown } | { stopped: true }

interface Waiter {
  lookup: MutationLookup
  /** The poll that answers this waiter goes out by then (epoch ms). */
  due: number
  settle(outcome: PollOutcome): void
}

/**
 * The awaits of one cluster share their polls of `system.mutations`: each asks for its next
 * answer within a delay of its own, the next poll goes out when the soonest of them is due,
 * and that one query answers every await then waiting. Twenty customers waiting for their
 * deletes cost one query per interval, not twenty, and leave the server's time to the
 * mutations themselves.
 */
export class MutationPoller {
  readonly #warehouse: Pick<Warehouse, 'findMutations'>
  #waiters: Waiter[] = []
  #polling = false
  /** Ends the loop's sleep early, when a waiter comes that is due sooner. */
  #wake: { at: number; now(): void } | undefined

  constructor(warehouse: Pick<Warehouse, 'findMutations'>) {
    this.#warehouse = warehouse
  }

  /** The status of `lookup`'s mutation from the next poll, sent `delayMs` from now at the latest, unless `signal` aborts first. */
  next(lookup: MutationLookup, delayMs: number, signal: AbortSignal): Promise<PollOutcome> {
    if (signal.aborted) return Promise.resolve({ stopped: true })
    return new Promise((resolve) => {
      const stop = (): void => {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter)
        waiter.settle({ stopped: true })
        // Nobody left to poll for: the loop ends now instead of holding the process until its timer.
        if (this.#waiters.length === 0) this.#wake?.now()
      }
      const waiter: Waiter = {
        lookup,
        due: Date.now() + delayMs,
        settle: (outcome) => {
          signal.removeEventListener('abort', stop)
          resolve(outcome)
        },
      }
      signal.addEventListener('abort', stop, { once: true })
      this.#waiters.push(waiter)
      if (!this.#polling) void this.#poll()
      else if (this.#wake && waiter.due < this.#wake.at) this.#wake.now()
    })
  }

  async #poll(): Promise<void> {
    this.#polling = true
    try {
      // Awaits that ask in the same turn of the event loop go out together.
      await new Promise((resolve) => setImmediate(resolve))
      while (this.#waiters.length > 0) {
        const due = Math.min(...this.#waiters.map((waiter) => waiter.due))
        if (due > Date.now()) {
          await this.#sleepUntil(due)
          continue
        }
        const batch = this.#waiters
        this.#waiters = []
        try {
          const statuses = await this.#warehouse.findMutations(batch.map((waiter) => waiter.lookup))
          batch.forEach((waiter, i) => waiter.settle({ status: statuses[i] }))
        } catch (error) {
          for (const waiter of batch) waiter.settle({ error })
        }
      }
    } finally {
      this.#polling = false
    }
  }

  #sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      const now = (): void => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(now, at - Date.now())
      this.#wake = { at, now }
    })
  }
}
