import { IANAZone } from 'luxon'
import type { DataPath } from '../data-path.js'
import { errorAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { SCHEDULE_WINDOW_PATTERN, parseScheduleWindow } from '../schedule-window.js'
import { queryParamsIn } from '../sql-text.js'
import { listAt, stringAt } from './access.js'
import { sqlFindings } from './sql.js'

const WINDOW = new RegExp(SCHEDULE_WINDOW_PATTERN)

/** `schedule`: a time zone the time-zone database knows, windows that open and close at different times. */
export function scheduleFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  const timezone = stringAt(data, ['schedule', 'timezone'])
  if (timezone !== undefined && timezone !== '' && !IANAZone.isValidZone(timezone)) {
    findings.push(
      errorAt('unknown-timezone', ['schedule', 'timezone'], `schedule.timezone ${JSON.stringify(timezone)} is not a time zone`, {
        hint: 'use an IANA name such as UTC, Europe/Paris or America/Los_Angeles',
      }),
    )
  }
  listAt(data, ['schedule', 'windows']).forEach((text, index) => {
    if (typeof text === 'string' && WINDOW.test(text) && parseScheduleWindow(text) === undefined) {
      findings.push(
        errorAt('empty-window', ['schedule', 'windows', index], `schedule.windows[${index}] ${JSON.stringify(text)} opens and closes at the same time`, {
          hint: 'a whole day is 00:00-24:00',
        }),
      )
    }
  })
  return findings
}

/** `throttle.checks`: unique names, one SELECT each, bound only `{cluster:String}`. */
export function throttleFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  const seen = new Set<string>()
  listAt(data, ['throttle', 'checks']).forEach((_, index) => {
    const check: DataPath = ['throttle', 'checks', index]
    const name = stringAt(data, [...check, 'name'])
    if (name !== undefined) {
      if (seen.has(name)) findings.push(errorAt('duplicate-check', [...check, 'name'], `throttle check name ${JSON.stringify(name)} is used twice`))
      seen.add(name)
    }
    findings.push(...sqlFindings(data, [...check, 'sql'], 'query'))
    const sql = stringAt(data, [...check, 'sql']) ?? ''
    for (const param of queryParamsIn(sql)) {
      if (param.name !== 'cluster' && ['customer', 'start', 'end'].includes(param.name)) {
        findings.push(
          errorAt('sql-param', [...check, 'sql'], `${param.text} in throttle.checks[${index}].sql has no value: a load check runs for a cluster, not a unit`, {
            offsetInValue: param.offset,
            hint: 'a load check may use {cluster:String} only',
          }),
        )
      }
    }
  })
  return findings
}
