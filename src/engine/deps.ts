import type { Launcher } from '../launchers/launcher.js'
import type { JobSpec } from '../plan/model.js'
import type { StateStore } from '../state/store.js'
import type { DeleteRequest, Statement, Warehouse } from '../warehouse/warehouse.js'

/**
 * What the engine is given to reach the world. The commands wire real implementations;
 * the engine itself never imports a client library.
 */
export interface EngineDeps {
  state: StateStore
  /** Opens (once) the warehouse of a cluster. */
  warehouse(cluster: string): Promise<Warehouse>
  launcher(kind: JobSpec['kind']): Launcher
  /** Builds a delete statement without a connection (for plan output and fingerprints). */
  deleteStatement(request: DeleteRequest): Statement
  env: NodeJS.ProcessEnv
  /** bf's version, recorded in saved plans. */
  version: string
}
