import { createTwoFilesPatch } from 'diff'
import type { JsonValue } from '../state/model.js'

function flatten(value: JsonValue | undefined, path: string, into: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort()) flatten(value[key], path ? `${path}.${key}` : key, into)
    return
  }
  if (value !== undefined) into.set(path, JSON.stringify(value))
}

/** Dotted paths whose values differ between two input objects (`env.BATCH_SIZE`). */
export function changedPaths(before: Record<string, JsonValue> | undefined, after: Record<string, JsonValue>): string[] {
  const a = new Map<string, string>()
  const b = new Map<string, string>()
  flatten(before ?? {}, '', a)
  flatten(after, '', b)
  const paths = new Set([...a.keys(), ...b.keys()])
  return [...paths].filter((path) => a.get(path) !== b.get(path)).sort()
}

/** `path: value` lines; a multi-line string as a block, so a diff shows only the lines that changed. */
function asLines(inputs: Record<string, JsonValue> | undefined): string {
  const flat = new Map<string, string>()
  flatten(inputs ?? {}, '', flat)
  const lines: string[] = []
  for (const [path, json] of flat) {
    const value: unknown = JSON.parse(json)
    if (typeof value === 'string' && value.includes('\n')) {
      lines.push(`${path}: |`, ...value.replace(/\n$/, '').split('\n').map((line) => `  ${line}`))
    } else {
      lines.push(`${path}: ${json}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/** A unified diff of old and new inputs, one `path: value` line each. */
export function inputsDiff(before: Record<string, JsonValue> | undefined, after: Record<string, JsonValue>, label: string): string {
  const patch = createTwoFilesPatch(`${label} (applied)`, `${label} (plan)`, asLines(before), asLines(after), '', '', { context: 2 })
  return patch
    .split('\n')
    .slice(1)
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd()
}
