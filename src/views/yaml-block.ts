import { stringify } from 'yaml'
import type { JsonValue } from '../state/model.js'
import { linesOf, printable } from './text.js'

/** A JSON value as YAML lines (block strings for multi-line SQL), for review output. */
export function yamlLines(value: JsonValue | Record<string, JsonValue>): string[] {
  return linesOf(printable(stringify(value, { lineWidth: 0, minContentWidth: 0 })))
}
