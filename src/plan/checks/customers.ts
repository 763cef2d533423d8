import type { DataPath } from '../data-path.js'
import { formatPath } from '../data-path.js'
import { didYouMean } from '../did-you-mean.js'
import { errorAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { at, entriesAt, isRecord, listAt, stringAt } from './access.js'
import { sqlFindings } from './sql.js'

/** One entry of a cluster's `customers` list that has a readable id. */
export interface CustomerEntry {
  cluster: string
  id: string
  /** Path of the id's value (the entry itself, or its `id`). */
  path: DataPath
}

export function customerEntries(data: unknown): CustomerEntry[] {
  const entries: CustomerEntry[] = []
  for (const [cluster] of entriesAt(data, ['clusters'])) {
    listAt(data, ['clusters', cluster, 'customers']).forEach((entry, index) => {
      const path: DataPath = ['clusters', cluster, 'customers', index]
      if (typeof entry === 'string') entries.push({ cluster, id: entry, path })
      else if (isRecord(entry) && typeof entry.id === 'string') entries.push({ cluster, id: entry.id, path: [...path, 'id'] })
    })
  }
  return entries
}

/** A customer listed twice in one cluster; the same customer in two clusters is fine. */
export function duplicateCustomers(entries: readonly CustomerEntry[], lineOf: (path: DataPath) => number): Finding[] {
  const first = new Map<string, CustomerEntry>()
  const findings: Finding[] = []
  for (const entry of entries) {
    const key = `${entry.cluster}\u0000${entry.id}`
    const earlier = first.get(key)
    if (!earlier) first.set(key, entry)
    else {
      findings.push(
        errorAt('duplicate-customer', entry.path, `customer ${JSON.stringify(entry.id)} is listed twice in ${formatPath(['clusters', entry.cluster, 'customers'])}`, {
          hint: `it is already listed on line ${lineOf(earlier.path)}`,
        }),
      )
    }
  }
  return findings
}

/**
 * Customers named by `rollout.canary` and `verify.checks[].customers` must be in some
 * cluster. While a cluster discovers its customers, a name may be one it will find: the
 * planner checks those at refresh.
 */
export function unknownCustomers(data: unknown, entries: readonly CustomerEntry[]): Finding[] {
  if (discoveringClusters(data).length > 0) return []
  const known = new Set(entries.map((entry) => entry.id))
  const lists: DataPath[] = [['rollout', 'canary'], ...listAt(data, ['verify', 'checks']).map((_, i): DataPath => ['verify', 'checks', i, 'customers'])]
  const findings: Finding[] = []
  for (const list of lists) {
    listAt(data, list).forEach((_, index) => {
      const path = [...list, index]
      const id = stringAt(data, path)
      if (id === undefined || known.has(id)) return
      findings.push(
        errorAt('unknown-customer', path, `${formatPath(list)} names customer ${JSON.stringify(id)}, which is in no cluster`, {
          hint: didYouMean(id, known) ?? 'add it to a cluster\'s customers, or remove it here',
        }),
      )
    })
  }
  return findings
}

/** Clusters whose `customers` is a mapping: found in the data at refresh. */
function discoveringClusters(data: unknown): string[] {
  return entriesAt(data, ['clusters'])
    .filter(([name]) => isRecord(at(data, ['clusters', name, 'customers'])))
    .map(([name]) => name)
}

/** Discovery counts in a table the plan names, or runs one SELECT with the parameters bf binds at refresh. */
export function discoveryFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  for (const cluster of discoveringClusters(data)) {
    const path: DataPath = ['clusters', cluster, 'customers']
    if (stringAt(data, [...path, 'from']) === 'expected' && at(data, ['expected']) === undefined) {
      findings.push(
        errorAt('discovery-without-expected', [...path, 'from'], `${formatPath(path)} discovers customers from the expected table, but the plan has no expected section`, {
          hint: 'add expected: with its table and columns, or use from: target',
        }),
      )
    }
    findings.push(...sqlFindings(data, [...path, 'query'], 'discovery'))
  }
  return findings
}
