import { setMaxListeners } from 'node:events'
import { errorMessage } from '../common/error-text.js'
import type { ApplyEvent, ApplyListener } from './events.js'
import type { StopSignals } from './executor.js'

/** What an apply knows once it lost the state's lease: why, and the steps started and not finished then. */
export interface LeaseLoss {
  reason: string
  running: string[]
}

/**
 * The one place an apply reacts to losing the state's lease (`HeldLock.lost`): from then
 * on its writes would be refused (fenced), and a new holder may already be running. So it
 * stops as on a second Ctrl-C: nothing more starts, every step waiting is released, and
 * the steps under way are left as they are, for the next apply to reconcile as after a
 * crash. It writes nothing more, and a write refused because of the loss is the end of
 * the apply, not a failure of it.
 */
export class LeaseGuard {
  readonly #lost = new AbortController()
  readonly #running = new Set<string>()
  #loss: LeaseLoss | undefined
  /** The apply's stop signals, which also fire when the lease is lost. */
  readonly stop: { stopping: AbortSignal; aborted: AbortSignal }

  /** `stop.lost` is the held lock's `lost` signal, when the lock can be lost. */
  constructor(stop: StopSignals) {
    const { lost } = stop
    this.stop = {
      stopping: AbortSignal.any([stop.stopping, this.#lost.signal]),
      aborted: AbortSignal.any([stop.aborted, this.#lost.signal]),
    }
    // Every waiting step listens for a stop: dozens at once is normal, not a leak.
    setMaxListeners(0, this.stop.stopping, this.stop.aborted)
    if (lost?.aborted) this.#lose(lost.reason)
    else lost?.addEventListener('abort', () => this.#lose(lost.reason), { once: true })
  }

  /** Set once the lease is lost. */
  get loss(): LeaseLoss | undefined {
    return this.#loss
  }

  /** Keeps track of the steps under way (a job recorded ahead of its slot included), to say which the next apply reconciles. */
  readonly track: ApplyListener = (event) => {
    if (event.type === 'attempt_recorded' || event.type === 'step_start') this.#running.add(event.address)
    else if (event.type === 'step_done') this.#running.delete(event.address)
  }

  /** `persist` until the lease is lost, then nothing; a write refused because of the loss ends the apply quietly. */
  guardWrites(persist: ApplyListener): ApplyListener {
    return async (event: ApplyEvent) => {
      if (this.#loss) return
      try {
        await persist(event)
      } catch (error) {
        if (!this.#loss && !isLeaseLost(error)) throw error
        this.#lose(error)
      }
    }
  }

  #lose(reason: unknown): void {
    if (this.#loss) return
    this.#loss = { reason: errorMessage(reason ?? 'the lease was lost'), running: [...this.#running] }
    this.#lost.abort(reason)
  }
}

/** A state store refuses a write of a holder whose lease was taken over (`LeaseLostError`, in the leased lock). */
function isLeaseLost(error: unknown): boolean {
  return error instanceof Error && error.name === 'LeaseLostError'
}
