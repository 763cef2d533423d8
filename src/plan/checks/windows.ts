import type { DataPath } from '../data-path.js'
import { formatPath } from '../data-path.js'
import { parseDuration } from '../duration.js'
import { errorAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { TIMESTAMP_PATTERN } from '../patterns.js'
import { parseTimestamp } from '../timestamp.js'
import { at, entriesAt, isRecord, listAt, stringAt } from './access.js'

const HOUR_MS = 3_600_000
const TIMESTAMP = new RegExp(TIMESTAMP_PATTERN)

/** One bound of a window as it takes effect, and the window it was written in. */
interface Bound {
  text: string
  ms: number
  from: DataPath
}

/**
 * Windows of the plan, of each cluster and of each customer: every timestamp names a real
 * instant and every effective window (customer, else cluster, else plan) starts before it
 * ends. The batch is a whole number of hours.
 */
export function windowFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  const bound = (windowPath: DataPath, key: 'start' | 'end', inherited: Bound | undefined): Bound | undefined => {
    const path = [...windowPath, key]
    const text = stringAt(data, path)
    if (text === undefined) return inherited
    const ms = parseTimestamp(text)
    if (ms === undefined && TIMESTAMP.test(text)) {
      findings.push(errorAt('invalid-value', path, `${formatPath(path)} ${JSON.stringify(text)} is not a real date and time`))
    }
    return ms === undefined ? undefined : { text, ms, from: windowPath }
  }
  const checkWindow = (windowPath: DataPath, inherited: { start?: Bound; end?: Bound }) => {
    const start = bound(windowPath, 'start', inherited.start)
    const end = bound(windowPath, 'end', inherited.end)
    const own = isRecord(at(data, windowPath))
    if (own && start && end && start.ms >= end.ms) findings.push(orderFinding(windowPath, start, end))
    return { start, end }
  }

  const plan = checkWindow(['window'], {})
  findings.push(...batchFindings(data))
  for (const [cluster] of entriesAt(data, ['clusters'])) {
    const clusterWindow = checkWindow(['clusters', cluster, 'window'], plan)
    listAt(data, ['clusters', cluster, 'customers']).forEach((customer, index) => {
      if (isRecord(customer)) checkWindow(['clusters', cluster, 'customers', index, 'window'], clusterWindow)
    })
    for (const [id] of entriesAt(data, ['clusters', cluster, 'customers', 'windows'])) checkWindow(['clusters', cluster, 'customers', 'windows', id], clusterWindow)
  }
  return findings
}

function orderFinding(windowPath: DataPath, start: Bound, end: Bound): Finding {
  const own = (b: Bound) => formatPath(b.from) === formatPath(windowPath)
  const describe = (b: Bound, key: string) => {
    const from = formatPath(b.from) === 'window' ? "the plan's window" : formatPath(b.from)
    return own(b) ? `${formatPath([...windowPath, key])} (${b.text})` : `the ${key} it takes from ${from} (${b.text})`
  }
  const hint = 'windows include their start and exclude their end'
  if (own(end)) return errorAt('window-order', [...windowPath, 'end'], `${describe(end, 'end')} must be after ${describe(start, 'start')}`, { hint })
  return errorAt('window-order', [...windowPath, 'start'], `${describe(start, 'start')} must be before ${describe(end, 'end')}`, { hint })
}

function batchFindings(data: unknown): Finding[] {
  const text = stringAt(data, ['window', 'batch'])
  const ms = text === undefined ? undefined : parseDuration(text)
  if (ms === undefined || ms % HOUR_MS === 0) return []
  return [
    errorAt('batch-not-hours', ['window', 'batch'], `window.batch ${JSON.stringify(text)} is not a whole number of hours`, {
      hint: 'batches are cut on whole hours: use 1h, 6h, 1d, 7d…',
    }),
  ]
}
