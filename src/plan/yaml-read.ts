import type { Document, ErrorCode, Node, YAMLError } from 'yaml'
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml'
import { errorMessage } from '../common/error-text.js'
import type { Finding } from './finding.js'

/** The `yaml` package's limit on alias expansion: a document that expands more is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 100

/** A plan file parsed as YAML: its data, and the document that knows where each value came from. */
export interface ParsedYaml {
  text: string
  doc: Document.Parsed
  lineCounter: LineCounter
  data: unknown
}

export type YamlResult = { ok: true; yaml: ParsedYaml; warnings: Finding[] } | { ok: false; findings: Finding[]; lineCounter: LineCounter }

const HINTS: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'indent with spaces',
  BAD_INDENT: 'keys of one mapping start in the same column; a nested value is indented further',
  BLOCK_AS_IMPLICIT_KEY: 'put a nested mapping on its own lines, indented under its key',
  MULTILINE_IMPLICIT_KEY: 'is a ":" or a closing quote missing?',
  MISSING_CHAR: 'is a closing quote or bracket missing?',
}

/**
 * Parses YAML 1.2 with the core schema, so `2026-01-01T00:00:00Z` and `24h` stay strings
 * whatever `%YAML` directive the file carries. Duplicate keys, several documents and
 * alias bombs are errors.
 */
export function readYaml(text: string): YamlResult {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, schema: 'core', prettyErrors: false, strict: true })
  if (doc.errors.length > 0) return { ok: false, findings: firstPerLine(doc.errors, lineCounter).map((error) => syntaxFinding(error, doc, lineCounter)), lineCounter }
  const warnings = doc.warnings.map((warning): Finding => ({
    severity: 'warning',
    code: 'yaml-warning',
    message: lowerFirst(warning.message),
    offset: warning.pos[0],
  }))
  if (doc.contents === null) {
    return { ok: false, findings: [{ severity: 'error', code: 'empty-file', message: 'the plan file is empty', hint: 'a plan starts with "version: 1"', offset: 0 }], lineCounter }
  }
  const top = isAlias(doc.contents) ? doc.contents.resolve(doc) : doc.contents
  if (!isMap(top)) {
    const found = isSeq(top) ? 'a list' : isScalar(top) ? 'a single value' : 'something else'
    return {
      ok: false,
      findings: [{ severity: 'error', code: 'not-a-mapping', message: `the plan must be a mapping of keys (version, name, window, …), but it is ${found}`, offset: doc.contents.range[0] }],
      lineCounter,
    }
  }
  try {
    return { ok: true, yaml: { text, doc, lineCounter, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) }, warnings }
  } catch (error) {
    return { ok: false, findings: [aliasFinding(error, doc)], lineCounter }
  }
}

/** One mistake often upsets the parser several times on the same line: report the first. */
function firstPerLine(errors: YAMLError[], lineCounter: LineCounter): YAMLError[] {
  const lines = new Set<number>()
  return errors.filter((error) => {
    const line = lineCounter.linePos(error.pos[0]).line
    if (lines.has(line)) return false
    lines.add(line)
    return true
  })
}

function syntaxFinding(error: YAMLError, doc: Document.Parsed, lineCounter: LineCounter): Finding {
  const offset = error.pos[0]
  if (error.code === 'DUPLICATE_KEY') return duplicateKeyFinding(offset, doc, lineCounter)
  if (error.code === 'MULTIPLE_DOCS') {
    return { severity: 'error', code: 'yaml-syntax', message: 'a plan file holds one YAML document, but this one has several', hint: 'remove the "---" line', offset }
  }
  const hint = HINTS[error.code]
  return { severity: 'error', code: 'yaml-syntax', message: `invalid YAML: ${lowerFirst(error.message)}`, ...(hint ? { hint } : {}), offset }
}

function duplicateKeyFinding(offset: number, doc: Document.Parsed, lineCounter: LineCounter): Finding {
  let key = ''
  let firstOffset: number | undefined
  visit(doc, {
    Map(_, map) {
      const index = map.items.findIndex((pair) => (pair.key as Node | null)?.range?.[0] === offset)
      if (index < 0) return undefined
      const duplicate = map.items[index]!.key
      key = isScalar(duplicate) ? String(duplicate.value) : String(duplicate)
      const first = map.items.find((pair, i) => i < index && isScalar(pair.key) && pair.key.value === (duplicate as { value?: unknown }).value)
      firstOffset = (first?.key as Node | undefined)?.range?.[0]
      return visit.BREAK
    },
  })
  const firstLine = firstOffset === undefined ? undefined : lineCounter.linePos(firstOffset).line
  return {
    severity: 'error',
    code: 'duplicate-key',
    message: `duplicate key ${JSON.stringify(key)}`,
    ...(firstLine ? { hint: `it is already set on line ${firstLine}` } : {}),
    offset,
  }
}

/** `toJS` fails on an alias bomb (too many aliases) and on an alias to an unknown anchor. */
function aliasFinding(error: unknown, doc: Document.Parsed): Finding {
  let firstAlias: number | undefined
  let unresolved: number | undefined
  visit(doc, {
    Alias(_, alias) {
      firstAlias ??= alias.range?.[0]
      if (unresolved === undefined && alias.resolve(doc) === undefined) unresolved = alias.range?.[0]
    },
  })
  if (unresolved !== undefined) {
    return { severity: 'error', code: 'yaml-alias', message: 'this alias refers to no anchor defined before it', offset: unresolved }
  }
  const tooMany = error instanceof Error && /alias count/i.test(error.message)
  return {
    severity: 'error',
    code: 'yaml-alias',
    message: tooMany ? `YAML aliases expand this plan beyond the limit of ${MAX_ALIAS_COUNT} aliased nodes` : `invalid YAML alias: ${errorMessage(error)}`,
    hint: 'write the values out instead of nesting aliases',
    offset: firstAlias ?? 0,
  }
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text
}
