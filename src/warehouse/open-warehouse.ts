import type { ClusterSpec } from '../plan/model.js'
import { ClickHouseWarehouse } from './clickhouse-warehouse.js'
import { createWarehouseClient } from './client-factory.js'
import type { ClientOptions } from './client-factory.js'
import type { RetryOptions } from './retry.js'
import type { Warehouse } from './warehouse.js'

export interface OpenWarehouseOptions extends ClientOptions {
  /** Retries of transient failures (default 5 tries from 0.5 s, doubling, capped at 30 s). */
  retry?: RetryOptions
}

/**
 * The warehouse of one cluster of the plan. Nothing is sent yet: call `ping()` to check the
 * connection and credentials.
 */
export async function openWarehouse(cluster: ClusterSpec, options: OpenWarehouseOptions = {}): Promise<Warehouse> {
  const { client, scope } = await createWarehouseClient(cluster, options)
  return new ClickHouseWarehouse(client, {
    cluster: cluster.name,
    scope,
    ...(cluster.clickhouse.cluster === undefined ? {} : { onCluster: cluster.clickhouse.cluster }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  })
}
