import type { DataPath } from '../data-path.js'
import { formatPath } from '../data-path.js'
import { didYouMean } from '../did-you-mean.js'
import { errorAt, warningAt } from '../finding.js'
import type { Finding } from '../finding.js'
import type { BoundParam } from '../sql-text.js'
import { BOUND_PARAMS, extraStatementsIn, hasKeyword, leadingKeyword, queryParamsIn } from '../sql-text.js'
import { stringAt } from './access.js'

const UNIT_PARAMS = Object.keys(BOUND_PARAMS) as BoundParam[]

const SHAPES = {
  insert: { leading: ['INSERT'], needs: 'SELECT', words: 'one INSERT … SELECT statement', params: UNIT_PARAMS },
  query: { leading: ['SELECT', 'WITH'], needs: undefined, words: 'one SELECT query', params: UNIT_PARAMS },
  // Discovery runs once per cluster, before there is a customer to bind.
  discovery: { leading: ['SELECT', 'WITH'], needs: undefined, words: 'one SELECT query', params: ['start', 'end', 'cluster'] as BoundParam[] },
} as const

/**
 * SQL of a job (`insert`), a check (`query`) or customer discovery (`discovery`): one
 * statement of the right shape, using only the parameters bf binds there, each with its type.
 */
export function sqlFindings(data: unknown, path: DataPath, shape: keyof typeof SHAPES): Finding[] {
  const sql = stringAt(data, path)
  if (sql === undefined || sql.trim() === '') return []
  const { leading, needs, words, params } = SHAPES[shape]
  const bound = params.map((name) => `{${name}:${BOUND_PARAMS[name]}}`).join(', ')
  const where = formatPath(path)
  const findings: Finding[] = []
  const first = leadingKeyword(sql)
  if (!first || !(leading as readonly string[]).includes(first.word) || (needs && !hasKeyword(sql, needs))) {
    findings.push(errorAt('sql-shape', path, `${where} must be ${words}`, { offsetInValue: first?.offset }))
  }
  for (const offset of extraStatementsIn(sql)) {
    findings.push(errorAt('sql-shape', path, `${where} holds more than one statement`, { offsetInValue: offset, hint: `write ${words}; only a last ";" may end it` }))
  }
  if (sql.includes('${env:')) {
    findings.push(errorAt('sql-env-ref', path, `${where} cannot use \${env:…}`, { hint: `SQL gets its values as bound parameters: ${bound}` }))
  }
  const used = new Set<string>()
  for (const param of queryParamsIn(sql)) {
    used.add(param.name)
    const known = (params as readonly string[]).includes(param.name)
    const expected = known ? BOUND_PARAMS[param.name as BoundParam] : undefined
    if (expected === undefined) {
      const close = didYouMean(param.name, params)
      findings.push(errorAt('sql-param', path, `unknown query parameter ${param.text} in ${where}`, { offsetInValue: param.offset, hint: close ?? `bf binds ${bound}` }))
    } else if (param.type !== expected) {
      findings.push(errorAt('sql-param', path, `${param.text} in ${where} must be {${param.name}:${expected}}`, { offsetInValue: param.offset, hint: `bf binds ${param.name} as ${expected}` }))
    }
  }
  if (shape === 'insert') {
    const unused = (['customer', 'start', 'end'] as const).filter((name) => !used.has(name)).map((name) => `{${name}:${BOUND_PARAMS[name]}}`)
    if (unused.length > 0) {
      findings.push(warningAt('sql-unbounded', path, `${where} does not use ${unused.join(', ')}, so every unit it runs for inserts the same rows`, { hint: 'limit the SELECT to the unit\'s customer and batch' }))
    }
  }
  return findings
}
