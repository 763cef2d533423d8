import { sha256Hex } from '../common/sha256.js'
import type { JsonValue } from '../state/model.js'
import { jsonEqual } from './json-equal.js'

const REMEMBERED_MAX = 16_384

/**
 * Quoted strings of one computation (a plan): its keys, customer ids, windows and job SQL
 * repeat in every unit, and a string the map has seen hashes from its cached hash. Made
 * per plan, so what it remembers goes with the plan.
 */
export class FingerprintMemo {
  readonly #quoted = new Map<string, string>()

  quote(text: string): string {
    let known = this.#quoted.get(text)
    if (known === undefined) {
      known = JSON.stringify(text)
      if (this.#quoted.size < REMEMBERED_MAX) this.#quoted.set(text, known)
    }
    return known
  }
}

/** Quotes without remembering, for callers that fingerprint a step or two. */
const UNREMEMBERED = { quote: (text: string): string => JSON.stringify(text) }

/**
 * Canonical JSON of objects inside inputs, by identity: the steps of a plan share many of
 * them (a batch's window, a customer's verify settings). Inputs are never changed in place.
 * Weak: an entry goes with its object, and the objects go with the plan that made them.
 */
const nestedKnown = new WeakMap<object, string>()

/** JSON with object keys sorted, so equal inputs always hash alike; `memo` (a plan's) makes it faster, not different. */
export function canonicalJson(value: JsonValue | undefined, memo: Pick<FingerprintMemo, 'quote'> = UNREMEMBERED): string {
  return canonical(value, false, memo)
}

function canonical(value: JsonValue | undefined, nested: boolean, memo: Pick<FingerprintMemo, 'quote'>): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'string') return memo.quote(value)
  if (typeof value !== 'object') return JSON.stringify(value)
  if (nested) {
    const known = nestedKnown.get(value)
    if (known !== undefined) return known
  }
  let text: string
  if (Array.isArray(value)) {
    text = '['
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonical(value[i], true, memo)
    text += ']'
  } else {
    const keys = Object.keys(value).sort()
    text = '{'
    for (const key of keys) {
      const member = value[key]
      if (member === undefined) continue
      text += `${text.length === 1 ? '' : ','}${memo.quote(key)}:${canonical(member, true, memo)}`
    }
    text += '}'
  }
  if (nested) nestedKnown.set(value, text)
  return text
}

/** Hash of the canonical JSON of `inputs`; pass the plan's `memo` when fingerprinting many. */
export function fingerprint(inputs: { [key: string]: JsonValue }, memo?: FingerprintMemo): string {
  return sha256Hex(canonicalJson(inputs, memo)).slice(0, 16)
}

/** A planned step's fingerprint: the planner's when it has one, else the hash of its inputs. */
export function stepFingerprint(step: { fingerprint?: string; inputs: { [key: string]: JsonValue } }, memo?: FingerprintMemo): string {
  return step.fingerprint ?? fingerprint(step.inputs, memo)
}

/**
 * The fingerprint of `inputs`, taken from `recorded` when it holds equal inputs: its
 * fingerprint was computed from them. Saves hashing every unchanged step of a large plan.
 */
export function fingerprintReusing(
  inputs: { [key: string]: JsonValue },
  recorded: { inputs?: { [key: string]: JsonValue }; fingerprint: string } | undefined,
  memo?: FingerprintMemo,
): string {
  if (recorded?.inputs !== undefined && jsonEqual(recorded.inputs, inputs)) return recorded.fingerprint
  return fingerprint(inputs, memo)
}

export function shortHash(text: string, length = 12): string {
  return sha256Hex(text).slice(0, length)
}
