import { didYouMean } from '../did-you-mean.js'
import { errorAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { entriesAt, isRecord, stringAt } from './access.js'

const CLICKHOUSE_ONLY = ['cluster', 'database', 'table', 'lock', 'lease'] as const

/** `state`: the clickhouse backend's cluster is one of the plan's; its keys mean nothing to the file backend. */
export function stateFindings(data: unknown): Finding[] {
  const state = isRecord(data) ? data.state : undefined
  if (!isRecord(state)) return []
  const backend = stringAt(data, ['state', 'backend']) ?? 'file'
  if (backend === 'file') {
    return CLICKHOUSE_ONLY.filter((key) => key in state).map((key) =>
      errorAt('state-key', ['state', key], `state.${key} applies to the clickhouse backend, and this state uses files`, {
        at: 'key',
        hint: 'add backend: clickhouse, or remove the key',
      }),
    )
  }
  const cluster = stringAt(data, ['state', 'cluster'])
  const clusters = entriesAt(data, ['clusters']).map(([name]) => name)
  if (cluster === undefined || clusters.length === 0 || clusters.includes(cluster)) return []
  return [
    errorAt('unknown-state-cluster', ['state', 'cluster'], `state.cluster ${JSON.stringify(cluster)} is not a cluster of this plan`, {
      hint: didYouMean(cluster, clusters) ?? `use one of: ${clusters.join(', ')}`,
    }),
  ]
}
