import type { ClickHouseClientConfigOptions } from '@clickhouse/client'
import { Mutex } from 'async-mutex'
import { boundedMemo } from '../common/bounded-memo.js'
import { errorMessage } from '../common/error-text.js'
import { UserError } from '../errors.js'
import { embeddedFolderHolder } from './embedded-folder-holder.js'
import { EngineConnection, startEngine } from './embedded-engine.js'
import type { SessionConstructor } from './embedded-engine.js'
import type { SettingValue } from '../plan/model.js'
import { extraStatementsIn, hasKeyword } from '../plan/sql-text.js'

export type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>
type CommandParams = Parameters<ClientConnection['command']>[0]
type CommandResult = Awaited<ReturnType<ClientConnection['command']>>

interface ChdbConnectionModule {
  createChdbConnection(options: { path: string }): ClientConnection
  /** chdb's `Session`, to start the engine with bf's configuration (see `embedded-engine.ts`). */
  Session: SessionConstructor
}

export type ModuleImporter = (specifier: string) => Promise<unknown>

const importModule: ModuleImporter = (specifier) => import(specifier)

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * Loads `chdb/connection` only when a cluster is embedded: chdb is an optional dependency
 * of about 500 MB that most installs of bf never need.
 */
export async function loadChdb(cluster: string, importer: ModuleImporter = importModule): Promise<ChdbConnectionModule> {
  let loaded: unknown
  try {
    loaded = await importer('chdb/connection')
  } catch (err) {
    if (isModuleNotFound(err)) {
      throw new UserError(`cluster ${cluster} uses clickhouse.embedded, which needs the optional package chdb: install it with \`npm install chdb\``)
    }
    throw err
  }
  const mod = loaded as Partial<ChdbConnectionModule> & { default?: Partial<ChdbConnectionModule> }
  const create = mod.createChdbConnection ?? mod.default?.createChdbConnection
  const root = (await importer('chdb')) as { Session?: unknown; default?: { Session?: unknown } }
  const Session = root.Session ?? root.default?.Session
  if (typeof create !== 'function' || typeof Session !== 'function') {
    throw new UserError(`cluster ${cluster}: the installed chdb has no chdb/connection; install chdb 3.4 or later with \`npm install chdb\``)
  }
  return { createChdbConnection: create, Session: Session as SessionConstructor }
}

/**
 * Opens the embedded engine on `path`, started with bf's configuration (an in-process Keeper
 * for KeeperMap tables), explaining the one-folder-per-process rule when it bites.
 */
export function openChdbConnection(chdb: ChdbConnectionModule, path: string, cluster: string): ClientConnection {
  // Checked first: the engine itself would print its own error for it before failing.
  const holder = embeddedFolderHolder(path)
  if (holder) {
    const who = holder.command === undefined ? `process ${holder.pid}` : `process ${holder.pid} (${holder.command})`
    throw new UserError(`cluster ${cluster}: the embedded engine's data folder ${path} is in use by ${who}; wait for it to end, then run this again`)
  }
  let release: (() => void) | undefined
  try {
    release = startEngine(chdb.Session, path)
    return new EngineConnection(chdb.createChdbConnection({ path }), release)
  } catch (err) {
    release?.()
    const message = errorMessage(err)
    if (/one active data directory/i.test(message)) {
      throw new UserError(`cluster ${cluster}: the embedded engine opens one data folder per process and another one is open; bf cannot use ${path} at the same time (${message})`)
    }
    throw new UserError(`cluster ${cluster}: cannot open the embedded engine on ${path}: ${message}`)
  }
}

/** Settings the embedded connection never turns into `SET` (its HTTP-only list, and the output format). */
const NOT_SET_BY_ENGINE = new Set([
  'default_format',
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_response_buffer_size',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
])

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The calls of every embedded connection of this process, one at a time and in call order:
 * they share one engine, whose sessions are then never used concurrently (a reset or a
 * purge never lands between another call's statements).
 */
const engine = new Mutex()
/** Calls of every embedded connection queued or running on the engine. */
let callsInFlight = 0

/** How long the engine stays idle after a long read before its freed memory is handed back. */
const IDLE_BEFORE_PURGE_MS = 200
/**
 * A read that ran this long may have built large structures (a refresh's grouping of a
 * million units takes seconds); the many short reads of an apply free little, and a purge
 * between them only makes the next queries fault their memory in again.
 */
const LONG_READ_MS = 1_000
/** The purge waiting for the engine to fall idle, and the connection that will send it. */
let idlePurge: { timer: NodeJS.Timeout; connection: EmbeddedConnection } | undefined

function startsWithInsert(sql: string): boolean {
  const withoutComments = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '')
  return /^INSERT\b/i.test(withoutComments)
}

/**
 * The embedded engine as a connection that behaves like a server over HTTP where bf relies on it:
 *
 * - Per-query settings stay per query. The embedded connection applies them as `SET …;`
 *   on its one session, where they would outlive the query (an `insert_deduplication_token`
 *   or `session_timezone` leaking into later statements). They are reset after each call,
 *   in the same call when nothing follows that could swallow the reset (see `canFollow`).
 * - An INSERT reports no summary rather than a wrong one: the engine does not count the rows
 *   a statement wrote (its summary says 0), and reading its `InsertedRows` counter after every
 *   INSERT costs a statement each (about 3 ms, some 5 % of the end-to-end benchmark).
 * - `clickhouse.database` is the default database of unqualified names, as the HTTP
 *   interface's `database` parameter makes it (`USE` on the session, once it exists).
 * - Memory a long read freed goes back to the system once the engine is idle (see `#purgeWhenIdle`).
 *
 * Calls of all embedded connections of this process run one at a time: they share the
 * engine's session, and a reset or a purge must not land between another call's statements.
 */
export class EmbeddedConnection implements ClientConnection {
  readonly #inner: ClientConnection
  readonly #baseSettings: Record<string, SettingValue>
  #database: string | undefined
  /** False once a purge failed: an engine that refuses one refuses every one. */
  #purges = true

  constructor(inner: ClientConnection, options: { settings: Record<string, SettingValue>; database?: string }) {
    this.#inner = inner
    this.#baseSettings = options.settings
    if (options.database !== undefined && options.database !== 'default') {
      if (!SETTING_NAME.test(options.database)) throw new UserError(`clickhouse.database ${JSON.stringify(options.database)} is not a plain name`)
      this.#database = options.database
    }
  }

  ping(params: Parameters<ClientConnection['ping']>[0]): ReturnType<ClientConnection['ping']> {
    return this.#serial(() => this.#inner.ping(params))
  }

  query(params: Parameters<ClientConnection['query']>[0]): ReturnType<ClientConnection['query']> {
    const read = !startsWithInsert(params.query)
    return this.#serial(async () => {
      const started = Date.now()
      try {
        return await this.#scoped(params.clickhouse_settings, () => this.#inner.query(params))
      } finally {
        if (read && Date.now() - started >= LONG_READ_MS) this.#purgeWhenIdle()
      }
    })
  }

  insert(params: Parameters<ClientConnection['insert']>[0]): ReturnType<ClientConnection['insert']> {
    return this.#serial(() => this.#scoped(params.clickhouse_settings, () => this.#inner.insert(params)))
  }

  exec(params: Parameters<ClientConnection['exec']>[0]): ReturnType<ClientConnection['exec']> {
    return this.#serial(() => this.#scoped(params.clickhouse_settings, () => this.#inner.exec(params)))
  }

  command(params: CommandParams): Promise<CommandResult> {
    return this.#serial(async () => {
      const result = await this.#commandResetting(params)
      return startsWithInsert(params.query) ? withoutSummary(result) : result
    })
  }

  close(): Promise<void> {
    if (idlePurge?.connection === this) {
      clearTimeout(idlePurge.timer)
      idlePurge = undefined
    }
    return this.#serial(() => this.#inner.close())
  }

  #serial<T>(call: () => Promise<T>): Promise<T> {
    callsInFlight++
    return engine.runExclusive(async () => {
      try {
        await this.#useDatabase()
        return await call()
      } finally {
        callsInFlight--
      }
    })
  }

  /**
   * Hands the memory a long read freed back to the system once the engine has been idle for
   * a moment. The engine runs in bf's process, and its allocator keeps what a query freed
   * (hundreds of MB after a large refresh) as bf's resident memory until told otherwise.
   * Purging after every read made the next queries fault that memory in again (an apply of
   * 1,000 units took 86 s instead of 75 s), so only long reads ask for a purge, and it waits
   * for the engine to fall idle: the short reads and pauses of an apply never purge. A purge
   * never fails a call: one that fails (an engine without jemalloc, `readonly`) is not tried
   * again on this connection.
   */
  #purgeWhenIdle(): void {
    if (!this.#purges) return
    if (idlePurge) clearTimeout(idlePurge.timer)
    const timer = setTimeout(() => {
      idlePurge = undefined
      if (callsInFlight > 0) this.#purgeWhenIdle()
      else void this.#serial(() => this.#purge())
    }, IDLE_BEFORE_PURGE_MS)
    timer.unref()
    idlePurge = { timer, connection: this }
  }

  async #purge(): Promise<void> {
    if (!this.#purges) return
    try {
      await this.#inner.command({ query: 'SYSTEM JEMALLOC PURGE' })
    } catch {
      this.#purges = false
    }
  }

  async #useDatabase(): Promise<void> {
    if (this.#database === undefined) return
    try {
      await this.#inner.command({ query: `USE \`${this.#database}\`` })
      this.#database = undefined
    } catch {
      // Not created yet: names stay qualified by `default` until it is.
    }
  }

  /** Settings of a call that the engine keeps on its session after the call. */
  #leaking(settings: Record<string, unknown> | undefined): string[] {
    return Object.entries(settings ?? {})
      .filter(([name, value]) => value !== undefined && !NOT_SET_BY_ENGINE.has(name) && SETTING_NAME.test(name) && this.#baseSettings[name] !== value)
      .map(([name]) => name)
  }

  async #scoped<T>(settings: Record<string, unknown> | undefined, call: () => Promise<T>): Promise<T> {
    const leaking = this.#leaking(settings)
    try {
      return await call()
    } finally {
      if (leaking.length > 0) await this.#resetSettings(leaking)
    }
  }

  async #resetSettings(names: string[]): Promise<void> {
    try {
      await this.#inner.command({ query: resetStatements(names) })
    } catch {
      // One unknown name fails the whole SET: reset the others one by one.
      for (const name of names) await this.#inner.command({ query: `SET ${name} = DEFAULT` }).catch(() => undefined)
    }
  }

  /** A command and the reset of its settings, as one call to the engine when the command can be followed. */
  async #commandResetting(params: CommandParams): Promise<CommandResult> {
    const leaking = this.#leaking(params.clickhouse_settings)
    if (leaking.length === 0 || !followable(params.query)) return this.#scoped(params.clickhouse_settings, () => this.#inner.command(params))
    try {
      // On a line of its own: the statement may end in a `--` comment or its own `;`.
      return await this.#inner.command({ ...params, query: `${params.query}\n;${resetStatements(leaking)}` })
    } catch (error) {
      await this.#resetSettings(leaking)
      throw error
    }
  }
}

function resetStatements(names: string[]): string {
  return `SET ${names.map((name) => `${name} = DEFAULT`).join(', ')}`
}

/** `canFollow` of statements seen before: an apply sends one job statement for every unit, and the answer needs a parse. */
const followable = boundedMemo((sql) => canFollow(sql), 64)

/**
 * Whether more statements can follow this one in the same call: not when it carries its
 * rows inline (`VALUES`, `FORMAT …` data), which would swallow what follows, nor when it
 * is several statements already.
 */
function canFollow(sql: string): boolean {
  return !hasKeyword(sql, 'VALUES') && !hasKeyword(sql, 'FORMAT') && extraStatementsIn(sql).length === 0
}

/** A result with its summary left out (`written_rows` would say 0 whatever was written). */
function withoutSummary(result: CommandResult): CommandResult {
  const { summary: _ignored, ...rest } = result
  return rest
}
