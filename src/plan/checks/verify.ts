import type { DataPath } from '../data-path.js'
import { formatPath } from '../data-path.js'
import { errorAt, warningAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { at, isRecord, listAt, numberAt, stringAt } from './access.js'
import { sqlFindings } from './sql.js'

/** Verification: bounds in order, check names unique, check SQL one bounded query. */
export function verifyFindings(data: unknown, lineOf: (path: DataPath) => number): Finding[] {
  const findings: Finding[] = []
  const min = numberAt(data, ['verify', 'ratio', 'min'])
  const max = numberAt(data, ['verify', 'ratio', 'max'])
  if (min !== undefined && max !== undefined && min > max) {
    findings.push(errorAt('ratio-order', ['verify', 'ratio', 'min'], `verify.ratio.min (${min}) must not be above verify.ratio.max (${max})`))
  }
  if (isRecord(at(data, ['verify', 'ratio'])) && at(data, ['expected']) === undefined) {
    findings.push(warningAt('ratio-without-expected', ['verify', 'ratio'], 'verify.ratio is skipped: the plan has no expected table to compare with', { at: 'key' }))
  }
  const firstByName = new Map<string, DataPath>()
  listAt(data, ['verify', 'checks']).forEach((_, index) => {
    const check: DataPath = ['verify', 'checks', index]
    const name = stringAt(data, [...check, 'name'])
    if (name !== undefined) {
      const earlier = firstByName.get(name)
      if (earlier) findings.push(errorAt('duplicate-check', [...check, 'name'], `check name ${JSON.stringify(name)} is used twice`, { hint: `the first is on line ${lineOf(earlier)}` }))
      else firstByName.set(name, [...check, 'name'])
    }
    findings.push(...sqlFindings(data, [...check, 'sql'], 'query'))
    const low = numberAt(data, [...check, 'expect', 'between', 0])
    const high = numberAt(data, [...check, 'expect', 'between', 1])
    if (low !== undefined && high !== undefined && low > high) {
      const between: DataPath = [...check, 'expect', 'between']
      findings.push(errorAt('between-order', [...between, 0], `${formatPath(between)} [${low}, ${high}] has its low end above its high end`, { hint: 'write [low, high]' }))
    }
  })
  return findings
}
