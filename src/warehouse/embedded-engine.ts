import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ClientConnection } from './embedded-connection.js'

/** chdb's `Session`, which starts the engine with arguments (`chdb/connection` takes none). */
export type SessionConstructor = new (path: string, options: { connectionArgs: string[] }) => { close(): void }

/** Where KeeperMap tables of the embedded engine keep their data (in its in-process test Keeper). */
export const EMBEDDED_KEEPER_MAP_PREFIX = '/bf_keeper_map'

/** The engine's configuration: an in-process Keeper, so that KeeperMap tables (the state's lease) work with no server. */
const ENGINE_CONFIG = `<clickhouse>
  <zookeeper><implementation>testkeeper</implementation></zookeeper>
  <keeper_map_path_prefix>${EMBEDDED_KEEPER_MAP_PREFIX}</keeper_map_path_prefix>
</clickhouse>
`

/** The config file bf writes into the data folder, read by the engine when it starts. */
export function engineConfigFile(path: string): string {
  return join(path, 'bf-engine.xml')
}

interface Started {
  session: { close(): void }
  connections: number
}

/** Engines this process started, by data folder: the first session's arguments are the engine's for as long as it runs. */
const started = new Map<string, Started>()

/**
 * Starts the embedded engine on `path` with bf's configuration, unless this process already
 * runs it, and counts one more connection on it. The engine stops when the last one closes,
 * so another folder can be opened afterwards (one folder per process at a time).
 */
export function startEngine(Session: SessionConstructor, path: string): () => void {
  const key = resolve(path)
  let engine = started.get(key)
  if (!engine) {
    mkdirSync(key, { recursive: true })
    writeFileSync(engineConfigFile(key), ENGINE_CONFIG)
    engine = { session: new Session(key, { connectionArgs: [`--config-file=${engineConfigFile(key)}`] }), connections: 0 }
    started.set(key, engine)
  }
  engine.connections++
  const running = engine
  let released = false
  return () => {
    if (released) return
    released = true
    if (--running.connections > 0) return
    started.delete(key)
    running.session.close()
  }
}

/** A connection that lets go of its engine once it is closed. */
export class EngineConnection implements ClientConnection {
  constructor(
    private readonly inner: ClientConnection,
    private readonly release: () => void,
  ) {}

  ping(params: Parameters<ClientConnection['ping']>[0]): ReturnType<ClientConnection['ping']> {
    return this.inner.ping(params)
  }

  query(params: Parameters<ClientConnection['query']>[0]): ReturnType<ClientConnection['query']> {
    return this.inner.query(params)
  }

  insert(params: Parameters<ClientConnection['insert']>[0]): ReturnType<ClientConnection['insert']> {
    return this.inner.insert(params)
  }

  exec(params: Parameters<ClientConnection['exec']>[0]): ReturnType<ClientConnection['exec']> {
    return this.inner.exec(params)
  }

  command(params: Parameters<ClientConnection['command']>[0]): ReturnType<ClientConnection['command']> {
    return this.inner.command(params)
  }

  async close(): Promise<void> {
    try {
      await this.inner.close()
    } finally {
      this.release()
    }
  }
}
