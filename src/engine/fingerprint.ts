import { createHash } from 'node:crypto'
import type { JsonValue } from '../state/model.js'

/** JSON with object keys sorted, so equal inputs always hash alike. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
}

export function fingerprint(inputs: { [key: string]: JsonValue }): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex').slice(0, 16)
}

export function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}
