import type { JsonValue } from './model.js'

/** Strings this long are shared whenever they repeat; a run of records repeats one, found without hashing. */
const LONG = 32
/** Shorter strings (a customer id, a job kind) are shared too, up to this many distinct ones. */
const SHORT_MAX = 100_000
/** Objects and arrays of at most this many primitive members are shared too (a window, a ratio, key columns). */
const SMALL = 8

/**
 * Makes equal parts of the JSON values read from the state one value. The steps of a plan
 * repeat the same inputs — its SQL, a day's window, a customer's verify settings —
 * thousands of times, and the state of a million steps must fit in memory. Long strings
 * and small flat objects are shared; values handed out must never be changed in place (bf
 * replaces records, it never edits them). Drop the interner after loading.
 */
export class JsonInterner {
  readonly #strings = new Map<string, string>()
  readonly #flat = new Map<string, JsonValue>()
  /** The last long string by length: runs of records repeat one, found without hashing it. */
  readonly #lastLong = new Map<number, string>()

  /** The shared copy of `text`. */
  string(text: string): string {
    const known = this.#strings.get(text)
    if (known !== undefined) return known
    this.#strings.set(text, text)
    return text
  }

  /** `value` with its long strings and small flat parts shared; itself shared when it is small and flat. */
  value(value: JsonValue): JsonValue {
    if (typeof value === 'string') return value.length < LONG ? this.#short(value) : this.#long(value)
    if (value === null || typeof value !== 'object') return value
    let token = Array.isArray(value) ? '[' : '{'
    let flat = true
    let members = 0
    for (const key in value) {
      const member = this.value((value as Record<string, JsonValue>)[key] as JsonValue)
      ;(value as Record<string, JsonValue>)[key] = member
      members++
      if (!flat) continue
      if (member !== null && typeof member === 'object') flat = false
      // Lengths first make the token unambiguous whatever the keys and strings hold.
      else token += `${key.length}:${key}${typeof member === 'string' ? `s${member.length}:${member}` : `v${String(member)}`};`
    }
    if (!flat || members > SMALL) return value
    const known = this.#flat.get(token)
    if (known !== undefined) return known
    this.#flat.set(token, value)
    return value
  }

  #short(text: string): string {
    const known = this.#strings.get(text)
    if (known !== undefined) return known
    if (this.#strings.size < SHORT_MAX) this.#strings.set(text, text)
    return text
  }

  #long(text: string): string {
    const last = this.#lastLong.get(text.length)
    if (last === text) return last
    const shared = this.string(text)
    this.#lastLong.set(text.length, shared)
    return shared
  }
}
