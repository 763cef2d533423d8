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
 * Delivers an event to every listener in the order they subscribed, awaiting each:
 * `emit` resolves once every listener has handled it, so an emitter that awaits its
 * events has them handled in the order it sent them. One step's events never wait for
 * another's (the state store keeps its appends in call order). After a listener fails,
 * every emit rejects with that failure.
 */
export class EventBus {
  readonly #listeners: ApplyListener[] = []
  #failure: ListenerError | undefined

  on(listener: ApplyListener): this {
    this.#listeners.push(listener)
    return this
  }

  async emit(event: ApplyEvent): Promise<void> {
    if (this.#failure) throw this.#failure
    for (const listener of this.#listeners) {
      try {
        // Most listeners are synchronous: only a promise is waited for.
        const handled = listener(event)
        if (handled) await handled
      } catch (error) {
        this.#failure = new ListenerError(event, error)
        throw this.#failure
      }
    }
  }
}
