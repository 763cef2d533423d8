import type { JsonValue } from '../state/model.js'

/**
 * Whether two JSON values are equal, key order aside; a member set to undefined counts as
 * absent, as in JSON text. Shared parts compare by identity first.
 */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  let count = 0
  for (const key in a) {
    const member = a[key]
    if (member === undefined) continue
    if (!jsonEqual(member, b[key])) return false
    count++
  }
  for (const key in b) if (b[key] !== undefined) count--
  return count === 0
}
