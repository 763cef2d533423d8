import { readFileSync } from 'node:fs'
import type { EngineDeps } from '../engine/deps.js'
import type { Launcher } from '../launchers/launcher.js'
import type { JobSpec, PlanSpec } from '../plan/model.js'
import { FileStateStore } from '../state/file-store.js'
import { openClickHouseStateStore } from '../state/clickhouse/open-store.js'
import type { StateStore } from '../state/store.js'
import { buildDeleteStatement } from '../warehouse/delete-statement.js'
import { openWarehouse } from '../warehouse/open-warehouse.js'
import type { OpenWarehouseOptions } from '../warehouse/open-warehouse.js'
import type { Warehouse } from '../warehouse/warehouse.js'
import { CommandLauncher } from '../launchers/command.js'
import { SqlLauncher } from '../launchers/sql.js'
import type { SqlLauncherOptions } from '../launchers/sql.js'
import { LazyLauncher } from '../launchers/lazy-launcher.js'
import type { KubernetesLauncherOptions } from '../launchers/kubernetes.js'

/** bf's own version, from its package.json. */
export const BF_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** The plan's state store, as its `state` says; a ClickHouse one connects on first use. */
export function openStateStore(spec: PlanSpec, env: NodeJS.ProcessEnv = process.env): StateStore {
  if (spec.state.backend === 'file') return new FileStateStore(spec.statePath, spec.name, { planRef: spec.source.file })
  return openClickHouseStateStore(spec, spec.state, env)
}

/** Runs `work` on the plan's state store and closes the store (and its connection) after it. */
export async function withStateStore<T>(spec: PlanSpec, work: (store: StateStore) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const store = openStateStore(spec, env)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

export interface Engine {
  deps: EngineDeps
  close(): Promise<void>
}

/** Timeouts and retries of the parts that reach the world; the defaults suit real clusters. */
export interface EngineOptions {
  warehouse?: Pick<OpenWarehouseOptions, 'retry' | 'requestTimeoutMs'>
  kubernetes?: KubernetesLauncherOptions
  sql?: SqlLauncherOptions
}

/** Real implementations behind the engine's interfaces, opened lazily and closed together. */
export async function openEngine(
  spec: PlanSpec,
  state?: StateStore,
  env: NodeJS.ProcessEnv = process.env,
  options: EngineOptions = {},
): Promise<Engine> {
  const store = state ?? openStateStore(spec, env)
  const warehouses = new Map<string, Promise<Warehouse>>()
  const launchers = new Map<JobSpec['kind'], Launcher>()
  const warehouse = (name: string): Promise<Warehouse> => {
    let opened = warehouses.get(name)
    if (!opened) {
      const cluster = spec.clusters.find((candidate) => candidate.name === name)
      if (!cluster) throw new Error(`cluster ${name} is not in the plan`)
      opened = openWarehouse(cluster, { ...options.warehouse, env })
      warehouses.set(name, opened)
    }
    return opened
  }
  const launcher = (kind: JobSpec['kind']): Launcher => {
    const known = launchers.get(kind)
    if (known) return known
    const made: Launcher =
      kind === 'sql'
        ? new SqlLauncher(warehouse, options.sql)
        : kind === 'command'
          ? new CommandLauncher()
          : new LazyLauncher(kind, 'detach', async () => new (await import('../launchers/kubernetes.js')).KubernetesLauncher(options.kubernetes))
    launchers.set(kind, made)
    return made
  }
  return {
    deps: { state: store, warehouse, launcher, deleteStatement: buildDeleteStatement, env, version: BF_VERSION },
    async close() {
      await Promise.allSettled([...launchers.values()].map((made) => made.close()))
      const opened = await Promise.allSettled([...warehouses.values()])
      await Promise.allSettled(opened.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)))
      await store.close()
    },
  }
}
