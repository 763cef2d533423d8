import type { TableRef } from '../plan/model.js'
import type { SqlQuery } from './sql-query.js'

/** The built-in load figures bf reads before starting a delete or a job on a cluster. */
export type LoadMetric = 'replicationDelay' | 'replicationQueue' | 'partsPerPartition' | 'mergesBusy'

/** The metric names of the merge and mutation pool in `system.metrics`. */
export const POOL_TASKS = 'BackgroundMergesAndMutationsPoolTask'
export const POOL_SIZE = 'BackgroundMergesAndMutationsPoolSize'

/** A system table, on every replica of `onCluster` when it is set. */
function systemTable(name: string, onCluster: string | undefined): string {
  return onCluster === undefined ? `system.${name}` : `clusterAllReplicas({cluster:String}, system.${name})`
}

function tableParams(table: TableRef, onCluster: string | undefined): Record<string, string> {
  return { database: table.database, table: table.table, ...(onCluster === undefined ? {} : { cluster: onCluster }) }
}

/**
 * One load figure as `bf_value`. Every query reads only system tables, filters on bound
 * values, and answers one row even when nothing matches (0).
 */
export function loadMetricQuery(metric: LoadMetric, table: TableRef, onCluster: string | undefined): SqlQuery {
  switch (metric) {
    case 'replicationDelay':
      return {
        sql: `SELECT toFloat64(max(absolute_delay)) AS bf_value FROM ${systemTable('replicas', onCluster)} WHERE database = {database:String} AND table = {table:String}`,
        params: tableParams(table, onCluster),
      }
    case 'replicationQueue':
      return {
        sql: `SELECT toFloat64(max(queue_size)) AS bf_value FROM ${systemTable('replicas', onCluster)} WHERE database = {database:String} AND table = {table:String}`,
        params: tableParams(table, onCluster),
      }
    case 'partsPerPartition':
      return {
        sql: [
          'SELECT toFloat64(max(bf_parts)) AS bf_value FROM (',
          `  SELECT hostName() AS bf_host, partition_id, count() AS bf_parts FROM ${systemTable('parts', onCluster)}`,
          '  WHERE database = {database:String} AND table = {table:String} AND active',
          '  GROUP BY bf_host, partition_id)',
        ].join('\n'),
        params: tableParams(table, onCluster),
      }
    case 'mergesBusy':
      return {
        sql: [
          'SELECT hostName() AS bf_host, toFloat64(sumIf(value, metric = {tasks:String})) AS bf_tasks, toFloat64(sumIf(value, metric = {size:String})) AS bf_size',
          `FROM ${systemTable('metrics', onCluster)} GROUP BY bf_host`,
        ].join('\n'),
        params: { tasks: POOL_TASKS, size: POOL_SIZE, ...(onCluster === undefined ? {} : { cluster: onCluster }) },
      }
  }
}

/**
 * The pool's size from the server's settings (`background_pool_size` ×
 * `background_merges_mutations_concurrency_ratio`), for a server whose `system.metrics`
 * does not report it (0): the embedded engine, which starts its pool only when needed.
 */
export function poolSizeQuery(): SqlQuery {
  return {
    sql: [
      'SELECT toFloat64OrZero(anyIf(value, name = {pool:String})) * toFloat64OrZero(anyIf(value, name = {ratio:String})) AS bf_value',
      'FROM system.server_settings WHERE name IN ({pool:String}, {ratio:String})',
    ].join('\n'),
    params: { pool: 'background_pool_size', ratio: 'background_merges_mutations_concurrency_ratio' },
  }
}
