import * as crypto from 'node:crypto'
import type { JsonValue } from '../state/model.js'

/** Strings this long are quoted once and remembered: a plan repeats its job SQL in every unit. */
const REMEMBERED_LENGTH = 64
const REMEMBERED_MAX = 1024
const quotedLong = new Map<string, string>()

function quote(text: string): string {
  if (text.length < REMEMBERED_LENGTH) return JSON.stringify(text)
  let quoted = quotedLong.get(text)
  if (quoted === undefined) {
    quoted = JSON.stringify(text)
    if (quotedLong.size < REMEMBERED_MAX) quotedLong.set(text, quoted)
  }
  return quoted
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

export function shortHash(text: string, length = 12): string {
  return sha256Hex(text).slice(0, length)
}
