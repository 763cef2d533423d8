import type { DataPath } from './data-path.js'

/**
 * A problem found while loading a plan, before it has a file position: it points at a
 * place in the document (a data path, or an offset in the source), and the loader turns
 * it into a `Diagnostic` with `line:col`.
 */
export interface Finding {
  severity: 'error' | 'warning'
  code: string
  message: string
  hint?: string
  /** The value at this path, or its key with `at: 'key'`. */
  path?: DataPath
  at?: 'value' | 'key'
  /** A character inside the string value at `path` (a placeholder in a template, a `;` in SQL). */
  offsetInValue?: number
  /** An offset in the source text, for findings from the YAML parser. */
  offset?: number
}

type Details = Pick<Finding, 'hint' | 'at' | 'offsetInValue'>

export function errorAt(code: string, path: DataPath, message: string, details: Details = {}): Finding {
  return { severity: 'error', code, message, path, ...withoutUndefined(details) }
}

export function warningAt(code: string, path: DataPath, message: string, details: Details = {}): Finding {
  return { severity: 'warning', code, message, path, ...withoutUndefined(details) }
}

function withoutUndefined(details: Details): Details {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined)) as Details
}
