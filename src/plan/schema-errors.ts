import type { ErrorObject } from 'ajv/dist/2020.js'
import type { DataPath } from './data-path.js'
import { formatPath, pathFromPointer } from './data-path.js'
import { closest, didYouMean } from './did-you-mean.js'
import { errorAt } from './finding.js'
import type { Finding } from './finding.js'
import type { JsonSchema } from './json-schema.js'
import { describeSchema, joinOr, schemaAt } from './json-schema.js'
import { mayQuoteValue, patternHint } from './pattern-hints.js'

/**
 * Turns ajv's errors into findings a person can act on: one per real problem, in plain
 * words, pointing at the key or value to edit. `schema` is the inlined schema ajv ran.
 */
export function schemaFindings(errors: readonly ErrorObject[], schema: JsonSchema, data: unknown): Finding[] {
  const kept = relevantErrors(errors, schema)
  const findings: Finding[] = []
  for (const error of kept) {
    const finding = toFinding(error, schema, data)
    if (finding) findings.push(finding)
  }
  return findings
}

/**
 * The errors worth showing. For `oneOf`/`anyOf`, ajv reports the errors of every branch:
 * keep only those of the branch the value was meant for (the first whose type fits), or,
 * when no branch fits, the one error saying what the value may be. Errors that follow
 * from another one (a missing key beside its misspelling) go too.
 */
function relevantErrors(errors: readonly ErrorObject[], schema: JsonSchema): ErrorObject[] {
  const dropped = new Set<ErrorObject>()
  const combinators = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)
  for (const combinator of combinators) {
    if (dropped.has(combinator)) continue
    const branches = (schemaAt(schema, combinator.schemaPath) ?? []) as unknown as JsonSchema[]
    const branchOf = (e: ErrorObject) =>
      isUnder(e.instancePath, combinator.instancePath) ? branches.findIndex((_, i) => e.schemaPath.startsWith(`${combinator.schemaPath}/${i}/`)) : -1
    const misfit = (i: number) => errors.some((e) => branchOf(e) === i && e.instancePath === combinator.instancePath && ['type', 'const', 'enum'].includes(e.keyword))
    // "needs url or embedded" says it all; a branch that fits is the one the value meant.
    const fitting = branches.every(isRequiredOnly) ? -1 : branches.findIndex((_, i) => !misfit(i))
    for (const e of errors) {
      const branch = branchOf(e)
      if (branch >= 0 && branch !== fitting) dropped.add(e)
    }
    if (fitting >= 0) dropped.add(combinator)
  }
  return errors.filter((e) => !dropped.has(e) && !isConditionalNoise(e, errors, schema) && !isMisspeltKey(e, errors))
}

/** A missing key is noise beside an unknown key that looks like a typo of it (`windw` for `window`). */
function isMisspeltKey(error: ErrorObject, errors: readonly ErrorObject[]): boolean {
  if (error.keyword !== 'required') return false
  const missing = String((error.params as { missingProperty?: unknown }).missingProperty)
  return errors.some(
    (e) =>
      e.keyword === 'additionalProperties' &&
      e.instancePath === error.instancePath &&
      closest(String((e.params as { additionalProperty?: unknown }).additionalProperty), [missing]) === missing,
  )
}

/** `a` is `b` or lies inside it (`/clusters/x/customers/1` is under `/clusters/x`). */
function isUnder(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`)
}

/**
 * An error from `if: {kind: …} then/else` is noise when `kind` itself is wrong: the
 * error on `kind` is the one to fix.
 */
function isConditionalNoise(error: ErrorObject, errors: readonly ErrorObject[], schema: JsonSchema): boolean {
  if (error.keyword === 'if') return true
  const key = conditionOf(error.schemaPath, schema, 'then')?.key ?? conditionOf(error.schemaPath, schema, 'else')?.key
  return key !== undefined && errors.some((e) => e.instancePath === `${error.instancePath}/${key}`)
}

function isRequiredOnly(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 1 && Array.isArray(schema.required)
}

function toFinding(error: ErrorObject, schema: JsonSchema, data: unknown): Finding | undefined {
  const path = pathFromPointer(error.instancePath, data)
  const where = formatPath(path)
  const subject = where || 'the plan'
  const parent = (error.parentSchema ?? {}) as JsonSchema
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const allowed = Object.keys(parent.properties ?? {})
      const hint = didYouMean(key, allowed) ?? `allowed keys: ${allowed.join(', ')}`
      return errorAt('unknown-key', [...path, key], `unknown key ${JSON.stringify(key)} in ${subject}`, { at: 'key', hint })
    }
    case 'required':
      return missingKey(error, schema, path, subject, String(params.missingProperty))
    case 'type':
      return errorAt('wrong-type', path, `${where} must be ${describeSchema(parent)}`)
    case 'pattern': {
      const what = parent.title ? `a valid ${parent.title}` : `a value matching ${parent.pattern}`
      const hint = patternHint(parent.pattern ?? '', path)
      if (error.propertyName !== undefined) {
        const name = error.propertyName
        return errorAt('invalid-value', [...path, name], `key ${quoteValue(name)} in ${subject} is not ${what}`, { at: 'key', hint })
      }
      const shown = mayQuoteValue(parent.pattern ?? '') ? ` ${quoteValue(error.data)}` : ''
      return errorAt('invalid-value', path, `${where}${shown} is not ${what}`, { hint })
    }
    case 'const':
      return errorAt('invalid-value', path, `${where} must be ${describeSchema(parent)}`)
    case 'enum': {
      const allowed = (parent.enum ?? []).map(String)
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined
      return errorAt('invalid-value', path, `${where} must be ${describeSchema(parent)}`, { hint })
    }
    case 'minLength':
      return errorAt('invalid-value', path, `${where} must not be empty`)
    case 'minItems':
      return errorAt('invalid-value', path, Number(params.limit) === 1 ? `${where} must not be empty` : `${where} must hold ${countOf(parent)}`)
    case 'maxItems':
      return errorAt('invalid-value', path, `${where} must hold ${countOf(parent)}`)
    case 'minimum':
      return errorAt('invalid-value', path, `${where} must be at least ${String(params.limit)}`)
    case 'exclusiveMinimum':
      return errorAt('invalid-value', path, `${where} must be more than ${String(params.limit)}`)
    case 'maximum':
      return errorAt('invalid-value', path, `${where} must be at most ${String(params.limit)}`)
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j))
      const value = Array.isArray(error.data) ? (error.data as unknown[])[later] : undefined
      return errorAt('duplicate-item', [...path, later], `${where} lists ${quoteValue(value)} twice`)
    }
    case 'minProperties': {
      const keys = Object.keys(parent.properties ?? {})
      const message = keys.length > 0 ? `${subject} needs ${keys.length === 1 ? `"${keys[0]}"` : `one of ${quotedOr(keys)}`}` : `${where} must not be empty`
      return errorAt('missing-key', path, message, { at: 'key', hint: keys.length > 0 ? undefined : firstSentence(parent.description) })
    }
    case 'maxProperties':
      return errorAt('invalid-value', path, `${where} may hold only one of ${quotedOr(Object.keys(parent.properties ?? {}))}`)
    case 'anyOf':
    case 'oneOf':
      return combinatorFinding(error, schema, path, subject)
    case 'not':
      return notFinding(error, schema, path, subject)
    case 'propertyNames':
      return undefined // the error under it says what is wrong
    default:
      return errorAt('invalid-value', path, `${subject} ${error.message ?? 'is invalid'}`)
  }
}

function missingKey(error: ErrorObject, schema: JsonSchema, path: DataPath, subject: string, key: string): Finding {
  const condition = conditionOf(error.schemaPath, schema)
  const hint = condition ? `needed when ${condition.text}` : firstSentence(schemaAt(schema, error.schemaPath.replace(/\/required$/, ''))?.properties?.[key]?.description)
  return errorAt('missing-key', path, `missing key ${JSON.stringify(key)} in ${subject}`, { at: 'key', hint })
}

/** `oneOf`/`anyOf` left after branch pruning: either "exactly one of these keys" or "none of the shapes fits". */
function combinatorFinding(error: ErrorObject, schema: JsonSchema, path: DataPath, subject: string): Finding {
  const branches = (schemaAt(schema, error.schemaPath) ?? []) as unknown as JsonSchema[]
  if (branches.every(isRequiredOnly)) {
    const keys = branches.flatMap((branch) => branch.required ?? [])
    return errorAt('missing-key', path, `${subject} needs ${quotedOr(keys)}`, { at: 'key' })
  }
  return errorAt('wrong-type', path, `${subject} must be ${joinOr(branches.map(describeSchema))}`)
}

/** `not: { required: [...] }`: keys that may not be set (together, or for this kind). */
function notFinding(error: ErrorObject, schema: JsonSchema, path: DataPath, subject: string): Finding {
  const forbidden = schemaAt(schema, `${error.schemaPath}`)?.required ?? []
  const condition = conditionOf(error.schemaPath, schema, 'else')
  const last = forbidden[forbidden.length - 1] ?? ''
  if (condition) {
    return errorAt('unused-key', [...path, last], `${formatPath([...path, last])} is only used when ${condition.text}`, { at: 'key', hint: 'remove it, or change the kind' })
  }
  return errorAt('conflicting-keys', [...path, last], `${subject} sets both ${forbidden.map((key) => JSON.stringify(key)).join(' and ')}`, { at: 'key', hint: 'keep one of them' })
}

/**
 * For an error under `if/then` (or `else`), the condition: the key tested and the test
 * in words (`kind is "sql"`). Only the form the plan schema uses is understood:
 * `if: { properties: { k: { const: v } } }`.
 */
function conditionOf(schemaPath: string, schema: JsonSchema, branch: 'then' | 'else' = 'then'): { key: string; text: string } | undefined {
  const at = schemaPath.lastIndexOf(`/${branch}/`)
  if (at < 0) return undefined
  const test = schemaAt(schema, `${schemaPath.slice(0, at)}/if`)
  const [key, property] = Object.entries(test?.properties ?? {})[0] ?? []
  if (!key || !property || !('const' in property)) return undefined
  return { key, text: `${key} is ${JSON.stringify(property.const)}` }
}

function countOf(schema: JsonSchema): string {
  const { minItems, maxItems } = schema
  if (minItems !== undefined && minItems === maxItems) return `exactly ${minItems} items`
  if (maxItems !== undefined) return `at most ${maxItems} items`
  return `at least ${minItems ?? 0} items`
}

function quotedOr(keys: readonly string[]): string {
  return joinOr(keys.map((key) => JSON.stringify(key)))
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined
  const sentence = text.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '')
  return /^[A-Z][a-z]/.test(sentence) ? sentence[0]!.toLowerCase() + sentence.slice(1) : sentence
}

/** A value for a message: quoted, and cut short when long. Only used for non-secret fields. */
function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)
}
