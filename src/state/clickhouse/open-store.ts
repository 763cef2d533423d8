import type { ClickHouseSettings } from '@clickhouse/client'
import { UserError } from '../../errors.js'
import type { ClusterSpec, PlanSpec, StateBackendSpec } from '../../plan/model.js'
import { createWarehouseClient } from '../../warehouse/client-factory.js'
import type { LeaseClock } from '../leased-lock.js'
import { ClickHouseStateStore } from './clickhouse-store.js'
import type { FencingLeaseBackend } from './clickhouse-store.js'
import { KeeperMapLease } from './keeper-map-lease.js'
import type { KubernetesLeaseOptions } from '../kubernetes-lease.js'
import { LazyKubernetesLease } from '../lazy-kubernetes-lease.js'
import { StateSql } from './state-sql.js'
import type { StateTableSpec } from './state-table.js'

type ClickHouseState = Extract<StateBackendSpec, { backend: 'clickhouse' }>

export interface OpenOptions {
  /** The lease's clock (tests move it by hand). */
  clock?: LeaseClock
  /** Retries and request timeout of a `lock: { kubernetes }` lease's API calls. */
  kubernetesLease?: KubernetesLeaseOptions
  /** See `ClickHouseStateStoreOptions.foldAtEvents`. */
  foldAtEvents?: number
  /** See `ClickHouseStateStoreOptions.pageRows`. */
  pageRows?: number
}

/**
 * Writes are acknowledged only once written (no async insert; over HTTP, once the whole
 * statement ran) and, on a replicated state table, once a majority of replicas have them;
 * reads on a replicated table see every write a quorum acknowledged.
 */
function consistency(replicated: boolean, embedded: boolean): { writes: ClickHouseSettings; reads: ClickHouseSettings } {
  // The embedded engine writes in the call itself; settings would only cost a reset after each statement.
  if (embedded) return { writes: {}, reads: {} }
  const writes: ClickHouseSettings = { async_insert: 0, wait_end_of_query: 1 }
  if (!replicated) return { writes, reads: {} }
  return { writes: { ...writes, insert_quorum: 'auto', insert_quorum_parallel: 0 }, reads: { select_sequential_consistency: '1' } }
}

/** The `clickhouse` state backend of a plan: its client made like the cluster's own (same URL, credentials, TLS, settings, embedded folder). */
export function openClickHouseStateStore(spec: PlanSpec, state: ClickHouseState, env: NodeJS.ProcessEnv, options: OpenOptions = {}): ClickHouseStateStore {
  const cluster = spec.clusters.find((candidate) => candidate.name === state.cluster)
  if (!cluster) throw new UserError(`state.cluster ${JSON.stringify(state.cluster)} is not a cluster of this plan`)
  const table: StateTableSpec = {
    database: state.database,
    table: state.table,
    ...(cluster.clickhouse.cluster === undefined ? {} : { onCluster: cluster.clickhouse.cluster }),
    embedded: cluster.clickhouse.embedded !== undefined,
  }
  const { writes, reads } = consistency(table.onCluster !== undefined, table.embedded)
  // The state's names are always qualified: the cluster's default database plays no part.
  const { database: _database, ...clickhouse } = cluster.clickhouse
  const stateCluster: ClusterSpec = { ...cluster, clickhouse }
  return new ClickHouseStateStore({
    plan: spec.name,
    planRef: spec.source.file,
    table,
    leaseMs: state.leaseMs,
    env,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.foldAtEvents === undefined ? {} : { foldAtEvents: options.foldAtEvents }),
    ...(options.pageRows === undefined ? {} : { pageRows: options.pageRows }),
    openSql: async () => {
      const client = await createWarehouseClient(stateCluster, { env })
      return new StateSql(client.client, client.scope, writes, reads)
    },
    lease: (sql): FencingLeaseBackend => {
      if (state.lock === 'keeper-map') return new KeeperMapLease(sql, table, spec.name, cluster.name)
      return new LazyKubernetesLease(state.lock.kubernetes, spec.name, options.kubernetesLease)
    },
  })
}
