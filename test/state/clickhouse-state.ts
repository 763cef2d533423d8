import { randomUUID } from 'node:crypto'
import type { ClusterSpec, PlanSpec } from '../../src/plan/model.js'
import { openClickHouseStateStore } from '../../src/state/clickhouse/open-store.js'
import type { OpenOptions } from '../../src/state/clickhouse/open-store.js'
import type { ClickHouseStateStore } from '../../src/state/clickhouse/clickhouse-store.js'

export type StateServer = { embedded: string } | { url: string; username?: string; password?: string }

/** The parts of a plan the state backend reads: its name, file, cluster and `state`. */
export function stateSpec(server: StateServer, options: { plan?: string; database?: string; table?: string; leaseMs?: number } = {}): PlanSpec {
  const cluster: ClusterSpec = { name: 'local', clickhouse: { ...server, settings: {} }, customers: [] }
  return {
    name: options.plan ?? `plan-${randomUUID().slice(0, 8)}`,
    source: { file: 'plans/test.yaml', dir: '/nowhere', sha256: '' },
    statePath: '/nowhere/.bf/state',
    state: { backend: 'clickhouse', cluster: 'local', database: options.database ?? 'bf', table: options.table ?? 'bf_state', lock: 'keeper-map', leaseMs: options.leaseMs ?? 60_000 },
    clusters: [cluster],
  } as unknown as PlanSpec
}

/** A new handle on the plan's state in the state table of `server`. */
export function openState(spec: PlanSpec, env: NodeJS.ProcessEnv = {}, options: OpenOptions = {}): ClickHouseStateStore {
  if (spec.state.backend !== 'clickhouse') throw new Error('not a clickhouse state')
  return openClickHouseStateStore(spec, spec.state, env, options)
}
