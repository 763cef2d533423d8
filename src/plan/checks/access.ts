import type { DataPath } from '../data-path.js'

/**
 * Careful reads of plan data that may not match the schema: semantic checks run even
 * when the schema found problems, and each check skips the values it cannot read.
 */
export type Data = Record<string, unknown>

export function isRecord(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The value at `path`, or undefined where the data does not have that shape. */
export function at(data: unknown, path: DataPath): unknown {
  let here = data
  for (const part of path) {
    if (typeof part === 'number' ? !Array.isArray(here) : !isRecord(here)) return undefined
    here = (here as Record<string | number, unknown>)[part]
  }
  return here
}

export function stringAt(data: unknown, path: DataPath): string | undefined {
  const value = at(data, path)
  return typeof value === 'string' ? value : undefined
}

export function numberAt(data: unknown, path: DataPath): number | undefined {
  const value = at(data, path)
  return typeof value === 'number' ? value : undefined
}

export function listAt(data: unknown, path: DataPath): unknown[] {
  const value = at(data, path)
  return Array.isArray(value) ? value : []
}

export function entriesAt(data: unknown, path: DataPath): [string, unknown][] {
  const value = at(data, path)
  return isRecord(value) ? Object.entries(value) : []
}

/** Every string in `data` that passes `test`, with its path, depth first. */
export function* stringsIn(data: unknown, test: (value: string) => boolean = () => true): Generator<[DataPath, string]> {
  const path: (string | number)[] = []
  function* walk(value: unknown): Generator<[DataPath, string]> {
    if (typeof value === 'string') {
      if (test(value)) yield [[...path], value]
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        yield* walk(value[i])
        path.pop()
      }
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        path.push(key)
        yield* walk(item)
        path.pop()
      }
    }
  }
  yield* walk(data)
}
