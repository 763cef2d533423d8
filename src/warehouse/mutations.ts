import type { Millis } from '../plan/model.js'
import { renderedTagLiteral } from './delete-statement.js'
import { quoteTable } from './identifiers.js'
import type { SqlQuery } from './sql-query.js'
import { toNumber } from './sql-query.js'
import type { MutationLookup, MutationOnHost, MutationStatus } from './warehouse.js'

/** How many replicas `cluster` has: one row of `system.clusters` per replica. */
export function replicaCountQuery(cluster: string): SqlQuery {
  return { sql: 'SELECT count() AS bf_replicas FROM system.clusters WHERE cluster = {cluster:String}', params: { cluster } }
}

/**
 * Our mutations on the server, or on every replica of the `ON CLUSTER` cluster, for lookups
 * of one table. Matched by table, creation time and the tag in the command text (mutation
 * ids differ between replicas); `bf_tag` is the position of the tag found in `tag_literals`,
 * from 1. Never with `skip_unavailable_shards`: an unreachable replica must fail the check,
 * not vanish from it.
 */
export function mutationRowsQuery(lookups: readonly MutationLookup[]): SqlQuery {
  const first = lookups[0]
  if (first === undefined) throw new Error('no mutation to look up')
  const { database, table } = first.request.target
  const onCluster = first.request.onCluster
  if (lookups.some(({ request }) => request.target.database !== database || request.target.table !== table || request.onCluster !== onCluster)) {
    throw new Error('mutations looked up together must be on one table')
  }
  quoteTable({ database, table })
  const source = onCluster === undefined ? 'system.mutations' : 'clusterAllReplicas({cluster:String}, system.mutations)'
  const sql = [
    'SELECT hostName() AS bf_host, mutation_id AS bf_mutation_id, is_done AS bf_is_done, parts_to_do AS bf_parts_to_do,',
    '  latest_fail_reason AS bf_latest_fail_reason, toUnixTimestamp(latest_fail_time) AS bf_latest_fail_time,',
    '  toUnixTimestamp(create_time) AS bf_create_time,',
    '  arrayFirstIndex(literal -> position(command, literal) > 0, {tag_literals:Array(String)}) AS bf_tag',
    `FROM ${source}`,
    'WHERE database = {database:String} AND table = {table:String}',
    '  AND create_time >= {since:DateTime}',
    '  AND bf_tag > 0',
    'ORDER BY bf_host, create_time',
  ].join('\n')
  return {
    sql,
    params: {
      database,
      table,
      since: Math.min(...lookups.map(({ since }) => sinceSeconds(since))),
      tag_literals: tagLiteralsOf(lookups),
      ...(onCluster === undefined ? {} : { cluster: onCluster }),
    },
    ...(onCluster === undefined ? {} : { settings: { skip_unavailable_shards: 0 } }),
  }
}

/** Tags per query at most, which keeps a query's parameters short whatever the plan's size. */
const LOOKUPS_PER_QUERY = 100

/**
 * Lookups that one `mutationRowsQuery` can answer (one table, one `ON CLUSTER`), each group
 * with the positions its lookups have in `lookups`.
 */
export function lookupsByTable(lookups: readonly MutationLookup[]): { positions: number[]; lookups: MutationLookup[] }[] {
  const groups = new Map<string, { positions: number[]; lookups: MutationLookup[] }>()
  const inOrder: { positions: number[]; lookups: MutationLookup[] }[] = []
  lookups.forEach((lookup, position) => {
    const { target, onCluster } = lookup.request
    const key = JSON.stringify([target.database, target.table, onCluster ?? null])
    let group = groups.get(key)
    if (!group) {
      group = { positions: [], lookups: [] }
      groups.set(key, group)
      inOrder.push(group)
    }
    group.positions.push(position)
    group.lookups.push(lookup)
    if (group.lookups.length === LOOKUPS_PER_QUERY) groups.delete(key)
  })
  return inOrder
}

/** `create_time` has whole seconds: the second `since` falls in counts. */
function sinceSeconds(since: Millis): number {
  return Math.max(0, Math.floor(since / 1000))
}

/** The tags of `lookups` as their DELETE statements carry them, each once. */
function tagLiteralsOf(lookups: readonly MutationLookup[]): string[] {
  return [...new Set(lookups.map(({ request }) => renderedTagLiteral(request.tag)))]
}

/** The status of each lookup, in order, from the rows `mutationRowsQuery(lookups)` read. */
export function statusesOfLookups(lookups: readonly MutationLookup[], rows: readonly MutationRow[], replicas: number): (MutationStatus | undefined)[] {
  const tags = tagLiteralsOf(lookups)
  return lookups.map((lookup) => {
    const tag = tags.indexOf(renderedTagLiteral(lookup.request.tag)) + 1
    const since = sinceSeconds(lookup.since)
    return mutationStatus(
      rows.filter((row) => row.tag === tag && row.createTime >= since),
      replicas,
    )
  })
}

export interface MutationRow {
  host: string
  mutationId: string
  isDone: boolean
  partsToDo: number
  latestFailReason: string
  /** Epoch seconds; 0 when it never failed. */
  latestFailTime: number
  /** Epoch seconds. */
  createTime: number
  /** Which of the query's tags the command carries, from 1. */
  tag: number
}

export function parseMutationRow(row: Record<string, unknown>): MutationRow {
  return {
    host: String(row.bf_host),
    mutationId: String(row.bf_mutation_id),
    isDone: toNumber(row.bf_is_done) === 1,
    partsToDo: toNumber(row.bf_parts_to_do),
    latestFailReason: String(row.bf_latest_fail_reason ?? ''),
    latestFailTime: toNumber(row.bf_latest_fail_time),
    createTime: toNumber(row.bf_create_time),
    tag: toNumber(row.bf_tag),
  }
}

/**
 * One entry per host (a host with several matching mutations is done when all are), and
 * `done` only when as many distinct hosts as `replicas` report it done.
 */
export function mutationStatus(rows: readonly MutationRow[], replicas: number): MutationStatus | undefined {
  if (rows.length === 0) return undefined
  const byHost = new Map<string, MutationOnHost>()
  for (const row of rows) {
    const seen = byHost.get(row.host)
    const failTime = row.latestFailTime > 0 ? new Date(row.latestFailTime * 1000).toISOString() : undefined
    if (!seen) {
      byHost.set(row.host, {
        host: row.host,
        mutationId: row.mutationId,
        isDone: row.isDone,
        partsToDo: row.partsToDo,
        ...(row.latestFailReason ? { latestFailReason: row.latestFailReason } : {}),
        ...(failTime ? { latestFailTime: failTime } : {}),
      })
      continue
    }
    seen.mutationId = `${seen.mutationId},${row.mutationId}`
    seen.isDone = seen.isDone && row.isDone
    seen.partsToDo += row.partsToDo
    if (failTime && (!seen.latestFailTime || failTime > seen.latestFailTime)) {
      seen.latestFailTime = failTime
      if (row.latestFailReason) seen.latestFailReason = row.latestFailReason
    }
  }
  const hosts = [...byHost.values()]
  return { replicas, hosts, done: hosts.length >= replicas && hosts.every((host) => host.isDone) }
}
