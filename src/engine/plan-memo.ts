import { SharedBatches } from '../plan/batches.js'
import type { Window } from '../plan/model.js'
import { formatTimestamp } from '../plan/timestamp.js'
import { FingerprintMemo } from './fingerprint.js'

/** A window as step inputs hold it (a type, not an interface: it goes into JSON inputs). */
export type WindowText = { start: string; end: string }

/**
 * Values one plan computes once and shares among its units: batches and strings repeat across customers
 * and clusters, and a plan can hold a million units. Made by `computePlan` and dropped with
 * the plan, so nothing it holds outlives it. Values handed out are shared: never change one.
 */
export class PlanMemo {
  readonly batches = new SharedBatches()
  readonly fingerprints = new FingerprintMemo()
  readonly #windowTexts = new Map<number, { end: number; text: WindowText }>()
  readonly #unitWindows = new Map<number, Window>()

  /** `jobTemplates`: each cluster's job template fingerprint, when the plan read them. */
  constructor(readonly jobTemplates?: ReadonlyMap<string, string>) {}

  /** A batch window as job inputs hold it, formatted once per batch. */
  windowText(window: Window): WindowText {
    const known = this.#windowTexts.get(window.start)
    if (known?.end === window.end) return known.text
    const text = { start: formatTimestamp(window.start), end: formatTimestamp(window.end) }
    if (known === undefined) this.#windowTexts.set(window.start, { end: window.end, text })
    return text
  }

  /** The window of a unit's steps: units of the same batch share one. */
  unitWindow(batch: Window): Window {
    const known = this.#unitWindows.get(batch.start)
    if (known?.end === batch.end) return known
    const window = { start: batch.start, end: batch.end }
    if (known === undefined) this.#unitWindows.set(batch.start, window)
    return window
  }
}
