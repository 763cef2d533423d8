import { Mutex } from 'async-mutex'
import { errorMessage } from '../common/error-text.js'
import type { ApplyEvent, ApplyListener } from './events.js'

/** A listener failed: the apply stops, since what it was told may not have been kept. */
export class ListenerError extends Error {
  constructor(
    readonly event: ApplyEvent,
    cause: unknown,
  ) {
    super(`bf stopped: handling ${event.type}${'address' in event ? ` of ${event.address}` : ''} failed: ${errorMessage(cause)}`, { cause })
    this.name = 'ListenerError'
  }
}

/**
 * Delivers events one at a time, in the order they were emitted, to every listener in
 * the order they subscribed, awaiting each. `emit` resolves once every listener has
 * handled the event. After a listener fails, every emit rejects with that failure.
 */
export class EventBus {
  readonly #listeners: ApplyListener[] = []
  /** One event at a time, in the order emitted. */
  readonly #turns = new Mutex()
  #failure: ListenerError | undefined

  on(listener: ApplyListener): this {
    this.#listeners.push(listener)
    return this
  }

  emit(event: ApplyEvent): Promise<void> {
    return this.#turns.runExclusive(() => this.#deliver(event))
  }

  async #deliver(event: ApplyEvent): Promise<void> {
    if (this.#failure) throw this.#failure
    for (const listener of this.#listeners) {
      try {
        await listener(event)
      } catch (error) {
        this.#failure = new ListenerError(event, error)
        throw this.#failure
      }
    }
  }
}
