import type { Millis } from '../plan/model.js'
import { renderedTagLiteral } from './delete-statement.js'
import { quoteTable } from './identifiers.js'
import type { SqlQuery } from './sql-query.js'
import { toNumber } from './sql-query.js'
import type { DeleteRequest, MutationOnHost, MutationStatus } from './warehouse.js'

/** How many replicas `cluster` has: one row of `system.clusters` per replica. */
export function replicaCountQuery(cluster: string): SqlQuery {
  return { sql: 'SELECT count() AS bf_replicas FROM system.clusters WHERE cluster = {cluster:String}', params: { cluster } }
}

/**
 * Our mutation on the server, or on every replica of the `ON CLUSTER` cluster. Matched by
 * table, creation time and the tag in the command text (mutation ids differ between
 * replicas). Never with `skip_unavailable_shards`: an unreachable replica must fail the
 * check, not vanish from it.
 */
export function mutationRowsQuery(request: DeleteRequest, since: Millis): SqlQuery {
  const target = { database: request.target.database, table: request.target.table }
  quoteTable(target)
  const source = request.onCluster === undefined ? 'system.mutations' : 'clusterAllReplicas({cluster:String}, system.mutations)'
  const sql = [
    'SELECT hostName() AS bf_host, mutation_id AS bf_mutation_id, is_done AS bf_is_done, parts_to_do AS bf_parts_to_do,',
    '  latest_fail_reason AS bf_latest_fail_reason, toUnixTimestamp(latest_fail_time) AS bf_latest_fail_time',
    `FROM ${source}`,
    'WHERE database = {database:String} AND table = {table:String}',
    '  AND create_time >= {since:DateTime}',
    '  AND position(command, {tag_literal:String}) > 0',
    'ORDER BY bf_host, create_time',
  ].join('\n')
  return {
    sql,
    params: {
      ...target,
      // `create_time` has whole seconds: the second `since` falls in counts.
      since: Math.max(0, Math.floor(since / 1000)),
      tag_literal: renderedTagLiteral(request.tag),
      ...(request.onCluster === undefined ? {} : { cluster: request.onCluster }),
    },
    ...(request.onCluster === undefined ? {} : { settings: { skip_unavailable_shards: 0 } }),
  }
}

export interface MutationRow {
  host: string
  mutationId: string
  isDone: boolean
  partsToDo: number
  latestFailReason: string
  /** Epoch seconds; 0 when it never failed. */
  latestFailTime: number
}

export function parseMutationRow(row: Record<string, unknown>): MutationRow {
  return {
    host: String(row.bf_host),
    mutationId: String(row.bf_mutation_id),
    isDone: toNumber(row.bf_is_done) === 1,
    partsToDo: toNumber(row.bf_parts_to_do),
    latestFailReason: String(row.bf_latest_fail_reason ?? ''),
    latestFailTime: toNumber(row.bf_latest_fail_time),
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
