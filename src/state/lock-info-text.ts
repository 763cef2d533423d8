import type { UserError } from '../errors.js'
import { isObject } from './is-object.js'

/**
 * A lock holder's fields parsed from the JSON text bf wrote (a lock file, a lease row):
 * the object and its holder fields checked, `invalid(problem)` thrown for the first problem.
 */
export function parseHolderText(text: string, invalid: (problem: string) => UserError): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw invalid('not valid JSON')
  }
  if (!isObject(value)) throw invalid('not a JSON object')
  for (const key of ['id', 'who', 'host', 'operation', 'created'] as const) {
    if (typeof value[key] !== 'string') throw invalid(`no "${key}"`)
  }
  if (typeof value.pid !== 'number') throw invalid('no "pid"')
  return value
}
