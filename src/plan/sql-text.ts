/** A `{name:Type}` query parameter in SQL text. */
export interface QueryParam {
  name: string
  /** The type as written, without spaces; empty for `{name}`. */
  type: string
  /** The whole `{…}` as written. */
  text: string
  offset: number
}

/**
 * `sql` with string literals, quoted identifiers and comments blanked out by spaces
 * (newlines kept), so offsets still line up and what is left is code only.
 */
export function codeOnly(sql: string): string {
  let out = ''
  let i = 0
  const blank = (to: number) => {
    out += sql.slice(i, to).replace(/[^\n]/g, ' ')
    i = to
  }
  while (i < sql.length) {
    const c = sql[i]!
    if (c === "'" || c === '"' || c === '`') blank(endOfQuoted(sql, i, c))
    else if (sql.startsWith('--', i)) blank(endOrLength(sql.indexOf('\n', i)))
    else if (sql.startsWith('/*', i)) blank(endOrLength(sql.indexOf('*/', i + 2), 2))
    else {
      out += c
      i++
    }
  }
  return out
}

function endOrLength(index: number, extra = 0): number {
  return index < 0 ? Infinity : index + extra
}

/** Index just past the quote closing the one at `start` (`\x` and doubled quotes escape). */
function endOfQuoted(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\') i++
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++
      else return i + 1
    }
  }
  return sql.length
}

const PARAM = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^{}]*?))?\s*\}/g

/** Every `{name:Type}` (and typeless `{name}`) in the code of `sql`. */
export function queryParamsIn(sql: string): QueryParam[] {
  return [...codeOnly(sql).matchAll(PARAM)].map((match) => ({
    name: match[1]!,
    type: (match[2] ?? '').replace(/\s+/g, ''),
    text: sql.slice(match.index, match.index + match[0].length),
    offset: match.index,
  }))
}

/** Offsets of `;` that end a statement with more code after it (an optional last `;` is fine). */
export function extraStatementsIn(sql: string): number[] {
  const code = codeOnly(sql)
  const offsets: number[] = []
  for (let i = code.indexOf(';'); i >= 0; i = code.indexOf(';', i + 1)) {
    if (code.slice(i + 1).trim() !== '') offsets.push(i)
  }
  return offsets
}

/** The first word of the code, upper-cased, and its offset. */
export function leadingKeyword(sql: string): { word: string; offset: number } | undefined {
  const match = /[^\s(]+/.exec(codeOnly(sql))
  return match ? { word: match[0].toUpperCase(), offset: match.index } : undefined
}

/** Whether `keyword` appears as a word in the code of `sql`. */
export function hasKeyword(sql: string, keyword: string): boolean {
  return new RegExp(`\\b${keyword}\\b`, 'i').test(codeOnly(sql))
}

/** The parameters bf binds for job and check SQL, with their ClickHouse types. */
export const BOUND_PARAMS = { customer: 'String', start: 'DateTime', end: 'DateTime', cluster: 'String' } as const

export type BoundParam = keyof typeof BOUND_PARAMS
