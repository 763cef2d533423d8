import type { JsonValue } from '../state/model.js'

/** Most lines a change list shows; the rest are counted. */
const SHOWN_CHANGES = 8

/**
 * What differs between two JSON values, a line per changed leaf:
 * `containers[cron].image: labeler:1 → labeler:2`. Items with a `name` (containers, env
 * variables) are named rather than numbered; `dropPrefix` is left off every path.
 */
export function jsonChanges(before: JsonValue, after: JsonValue, dropPrefix = ''): string[] {
  const old = flatten(before, dropPrefix)
  const now = flatten(after, dropPrefix)
  const lines: string[] = []
  for (const [path, value] of now) {
    const was = old.get(path)
    if (was === undefined) lines.push(`${path}: (none) → ${value}`)
    else if (was !== value) lines.push(`${path}: ${was} → ${value}`)
  }
  for (const [path, value] of old) if (!now.has(path)) lines.push(`${path}: ${value} → (none)`)
  if (lines.length <= SHOWN_CHANGES) return lines
  return [...lines.slice(0, SHOWN_CHANGES), `… and ${lines.length - SHOWN_CHANGES} more`]
}

function flatten(value: JsonValue, dropPrefix: string): Map<string, string> {
  const leaves = new Map<string, string>()
  const walk = (node: JsonValue, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${path}[${itemKey(item, index)}]`))
      return
    }
    if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node).sort()) walk(node[key] as JsonValue, path ? `${path}.${key}` : key)
      return
    }
    leaves.set(dropPrefix && path.startsWith(dropPrefix) ? path.slice(dropPrefix.length) : path, typeof node === 'string' ? node : JSON.stringify(node))
  }
  walk(value, '')
  return leaves
}

/** Containers, env variables, volumes and ports by name, other items by position. */
function itemKey(item: JsonValue, index: number): string {
  if (item !== null && typeof item === 'object' && !Array.isArray(item) && typeof item.name === 'string') return item.name
  return String(index)
}

