import { UserError } from '../../errors.js'
import { quoteIdentifier } from '../../warehouse/identifiers.js'
import type { StateSql } from './state-sql.js'

/** Where a plan's state lives in ClickHouse, and how its tables are made. */
export interface StateTableSpec {
  database: string
  table: string
  /** `ON CLUSTER` name: the tables are made on every replica, with a Replicated engine. */
  onCluster?: string
  /** The embedded engine: its Keeper lives in this process, so the lease table must not outlive it. */
  embedded: boolean
}

/**
 * The state table's columns, in order. One row per step transition (`event`), per step of
 * a folded state (`record`), per lease take and state generation (`take`, `generation`:
 * the markers) and per pause and resume. Markers and pauses sort first (`is_step` 0), then
 * a generation's steps by group, address and serial: the order a reader folds them in.
 */
export const STATE_COLUMNS: readonly (readonly [string, string])[] = [
  ['plan', 'String'],
  ['is_step', 'UInt8'],
  ['generation', 'UInt32'],
  ['group_key', 'String'],
  ['address', 'String'],
  ['serial', 'UInt64'],
  ['epoch', 'UInt64'],
  ['what', 'LowCardinality(String)'],
  ['lineage', 'String'],
  ['body', 'String'],
  ['written_at', "DateTime64(3, 'UTC')"],
]

/** The columns bf writes (all but `written_at`, which the server fills in), as a `format()` structure. */
export const WRITTEN_STRUCTURE = STATE_COLUMNS.filter(([name]) => name !== 'written_at')
  .map(([name, type]) => `${name} ${type === 'LowCardinality(String)' ? 'String' : type}`)
  .join(', ')
export const WRITTEN_COLUMN_LIST = STATE_COLUMNS.filter(([name]) => name !== 'written_at').map(([name]) => name)
export const WRITTEN_COLUMNS = WRITTEN_COLUMN_LIST.join(', ')

export interface StateTableNames {
  /** `` `bf`.`bf_state` `` */
  state: string
  /** The KeeperMap lease table. */
  lease: string
  /** `bf.bf_state`, for messages. */
  shown: string
  leaseShown: string
  /** The lease table's database and name, unquoted, as `system.tables` has them. */
  leaseLocation: { database: string; table: string }
}

export function tableNames(spec: StateTableSpec): StateTableNames {
  const database = quoteIdentifier(spec.database, 'state database name')
  const table = quoteIdentifier(spec.table, 'state table name')
  const leaseDatabase = spec.embedded ? `${spec.database}_memory` : spec.database
  return {
    state: `${database}.${table}`,
    lease: `${quoteIdentifier(leaseDatabase, 'state database name')}.${quoteIdentifier(`${spec.table}_lease`, 'state table name')}`,
    shown: `${spec.database}.${spec.table}`,
    leaseShown: `${leaseDatabase}.${spec.table}_lease`,
    leaseLocation: { database: leaseDatabase, table: `${spec.table}_lease` },
  }
}

function onCluster(spec: StateTableSpec): string {
  return spec.onCluster === undefined ? '' : ` ON CLUSTER ${quoteIdentifier(spec.onCluster, 'cluster name')}`
}

/** `CREATE DATABASE` and `CREATE TABLE` of the state table, all `IF NOT EXISTS`. */
export function stateTableDdl(spec: StateTableSpec): string[] {
  const names = tableNames(spec)
  const engine =
    spec.onCluster === undefined
      ? 'MergeTree'
      : // One replication path for every replica of the cluster, whatever its shard: each one holds the whole state.
        `ReplicatedMergeTree('/clickhouse/tables/bf/${spec.database}.${spec.table}', '{replica}')`
  const columns = STATE_COLUMNS.map(([name, type]) => `${name} ${type}${name === 'written_at' ? ' DEFAULT now64(3)' : ''}`).join(', ')
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(spec.database, 'state database name')}${onCluster(spec)}`,
    `CREATE TABLE IF NOT EXISTS ${names.state}${onCluster(spec)} (${columns}) ENGINE = ${engine} ` +
      'ORDER BY (plan, is_step, generation, group_key, address, serial) SETTINGS enable_block_number_column = 1',
  ]
}

/** `CREATE` of the KeeperMap lease table (key: the plan), in a database that vanishes with the process on the embedded engine. */
export function leaseTableDdl(spec: StateTableSpec): string[] {
  const names = tableNames(spec)
  const leaseDatabase = spec.embedded ? `${spec.database}_memory` : spec.database
  const database = `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(leaseDatabase, 'state database name')}${onCluster(spec)}${spec.embedded ? ' ENGINE = Memory' : ''}`
  return [
    database,
    `CREATE TABLE IF NOT EXISTS ${names.lease}${onCluster(spec)} (plan String, version String, record String) ` +
      `ENGINE = KeeperMap('/bf/${spec.database}/${spec.table}_lease') PRIMARY KEY plan`,
  ]
}

/**
 * Whether the state table exists, refusing a table of that name that bf did not make
 * (another shape): bf would misread it or write rows into someone else's data.
 */
export async function checkStateTableShape(sql: StateSql, spec: StateTableSpec): Promise<boolean> {
  const columns = await sql.rows<{ name: string; type: string }>(
    'reading the state table\'s columns',
    'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String} ORDER BY position',
    { database: spec.database, table: spec.table },
  )
  if (columns.length === 0) return false
  const found = columns.map(({ name, type }) => `${name} ${type}`).join(', ')
  const expected = STATE_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')
  if (found !== expected) {
    throw new UserError(
      `${tableNames(spec).shown} on cluster ${sql.scope.cluster} is not a bf state table (its columns are: ${found}); ` +
        'choose another name with state.table (or state.database), and bf creates its own',
    )
  }
  return true
}
