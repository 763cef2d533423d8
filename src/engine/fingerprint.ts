import * as crypto from 'node:crypto'
import type { JsonValue } from '../state/model.js'
import { jsonEqual } from './json-equal.js'

/**
 * Quoted strings are remembered: a plan repeats its keys, customer ids, windows and job
 * SQL in every unit, and a string the map has seen hashes from its cached hash.
 */
const REMEMBERED_MAX = 16_384
const quoted = new Map<string, string>()

function quote(text: string): string {
  let known = quoted.get(text)
  if (known === undefined) {
    known = JSON.stringify(text)
    if (quoted.size < REMEMBERED_MAX) quoted.set(text, known)
  }
  return known
}

/**
 * Canonical JSON of objects inside inputs, by identity: the steps of a plan share many of
 * them (a batch's window, a customer's verify settings). Inputs are never changed in place.
 */
const nestedKnown = new WeakMap<object, string>()

/** JSON with object keys sorted, so equal inputs always hash alike. */
export function canonicalJson(value: JsonValue | undefined): string {
  return canonical(value, false)
}

function canonical(value: JsonValue | undefined, nested: boolean): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'string') return quote(value)
  if (typeof value !== 'object') return JSON.stringify(value)
  if (nested) {
    const known = nestedKnown.get(value)
    if (known !== undefined) return known
  }
  let text: string
  if (Array.isArray(value)) {
    text = '['
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonical(value[i], true)
    text += ']'
  } else {
    const keys = Object.keys(value).sort()
    text = '{'
    for (const key of keys) {
      const member = value[key]
      if (member === undefined) continue
      text += `${text.length === 1 ? '' : ','}${quote(key)}:${canonical(member, true)}`
    }
    text += '}'
  }
  if (nested) nestedKnown.set(value, text)
  return text
}

/** SHA-256 in hex; the one-shot `crypto.hash` (Node 20.12+) where present, twice as fast. */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string): string }).hash('sha256', text)
    : (text) => crypto.createHash('sha256').update(text).digest('hex')

export function fingerprint(inputs: { [key: string]: JsonValue }): string {
  return sha256Hex(canonicalJson(inputs)).slice(0, 16)
}

/** A planned step's fingerprint: the planner's when it has one, else the hash of its inputs. */
export function stepFingerprint(step: { fingerprint?: string; inputs: { [key: string]: JsonValue } }): string {
  return step.fingerprint ?? fingerprint(step.inputs)
}

/**
 * The fingerprint of `inputs`, taken from `recorded` when it holds equal inputs: its
 * fingerprint was computed from them. Saves hashing every unchanged step of a large plan.
 */
export function fingerprintReusing(inputs: { [key: string]: JsonValue }, recorded: { inputs?: { [key: string]: JsonValue }; fingerprint: string } | undefined): string {
  if (recorded?.inputs !== undefined && jsonEqual(recorded.inputs, inputs)) return recorded.fingerprint
  return fingerprint(inputs)
}

export function shortHash(text: string, length = 12): string {
  return sha256Hex(text).slice(0, length)
}
