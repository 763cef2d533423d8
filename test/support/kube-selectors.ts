/**
 * Label and field selectors as the Kubernetes API parses them, enough for bf's queries:
 * `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-separated (AND).
 */

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean

export class SelectorError extends Error {}

export function parseLabelSelector(text: string | null | undefined): LabelMatcher {
  if (!text) return () => true
  const tests = splitTerms(text).map(parseLabelTerm)
  return (labels) => tests.every((test) => test(labels ?? {}))
}

/** Field selectors: `metadata.name`, `metadata.namespace`, `status.phase`, with `=`, `==`, `!=`. */
export function parseFieldSelector(text: string | null | undefined): (object: unknown) => boolean {
  if (!text) return () => true
  const tests = splitTerms(text).map((term) => {
    const match = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term)
    if (!match) throw new SelectorError(`invalid field selector "${term}"`)
    const [, path, operator, value] = match as unknown as [string, string, string, string]
    if (!['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'].includes(path)) {
      throw new SelectorError(`field label not supported: ${path}`)
    }
    return (object: unknown) => {
      const actual = path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object)
      return operator === '!=' ? actual !== value : actual === value
    }
  })
  return (object) => tests.every((test) => test(object))
}

function parseLabelTerm(term: string): (labels: Record<string, string>) => boolean {
  let match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term)
  if (match) {
    const [, key, operator, list] = match as unknown as [string, string, string, string]
    const values = new Set(list.split(',').map((value) => value.trim()))
    return operator === 'in' ? (labels) => key in labels && values.has(labels[key]!) : (labels) => !(key in labels) || !values.has(labels[key]!)
  }
  match = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term)
  if (match) {
    const [, key, operator, value] = match as unknown as [string, string, string, string]
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value
  }
  match = /^(!?)([\w./-]+)$/.exec(term)
  if (match) {
    const [, not, key] = match as unknown as [string, string, string]
    return not ? (labels) => !(key in labels) : (labels) => key in labels
  }
  throw new SelectorError(`unable to parse requirement: "${term}"`)
}

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = []
  let depth = 0
  let current = ''
  for (const char of text) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      terms.push(current.trim())
      current = ''
    } else current += char
  }
  if (current.trim()) terms.push(current.trim())
  return terms
}
