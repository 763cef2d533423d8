import type { ClickHouseClientConfigOptions } from '@clickhouse/client'
import { UserError } from '../errors.js'
import type { SettingValue } from '../plan/model.js'
import { extraStatementsIn, hasKeyword } from '../plan/sql-text.js'

export type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>
type CommandParams = Parameters<ClientConnection['command']>[0]
type CommandResult = Awaited<ReturnType<ClientConnection['command']>>

interface ChdbConnectionModule {
  createChdbConnection(options: { path: string }): ClientConnection
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
  if (typeof create !== 'function') throw new UserError(`cluster ${cluster}: the installed chdb has no chdb/connection; install chdb 3.4 or later with \`npm install chdb\``)
  return { createChdbConnection: create }
}

/** Opens the embedded engine on `path`, explaining the one-folder-per-process rule when it bites. */
export function openChdbConnection(chdb: ChdbConnectionModule, path: string, cluster: string): ClientConnection {
  try {
    return chdb.createChdbConnection({ path })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
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
 * The calls of every embedded connection of this process, one at a time: they share one
 * engine, which runs one query at a time anyway, and its sessions are then never used
 * concurrently (a purge after one session's read never overlaps another session's query).
 */
let engineTail: Promise<unknown> = Promise.resolve()
/** Calls of every embedded connection queued or running on the engine. */
let callsInFlight = 0

/** How long the engine stays idle after a read before its freed memory is handed back. */
const IDLE_BEFORE_PURGE_MS = 200
/** The purge waiting for the engine to fall idle, and the connection that will send it. */
let idlePurge: { timer: NodeJS.Timeout; connection: EmbeddedConnection } | undefined

/**
 * Bumped by every call of every connection of this process that may insert rows: the
 * engine's `InsertedRows` counts for the whole process.
 */
let insertGeneration = 0

/** Runs a call that may insert rows: no connection's reading of `InsertedRows` holds after it starts. */
async function mayInsert<T>(call: () => Promise<T>): Promise<T> {
  insertGeneration++
  try {
    return await call()
  } finally {
    insertGeneration++
  }
}

function startsWithInsert(sql: string): boolean {
  const withoutComments = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '')
  return /^INSERT\b/i.test(withoutComments)
}

/**
 * The embedded engine as a connection that behaves like a server over HTTP in the two ways
 * bf relies on:
 *
 * - Per-query settings stay per query. The embedded connection applies them as `SET …;`
 *   on its one session, where they would outlive the query (an `insert_deduplication_token`
 *   or `session_timezone` leaking into later statements). They are reset after each call.
 * - `written_rows` of an `INSERT … SELECT` is reported. The embedded connection always
 *   reports 0; the engine's `InsertedRows` counter, read before and after, gives the number.
 *   The reading after one INSERT serves as the reading before the next while no call of
 *   any connection of this process that may insert has run between (a client of the engine
 *   that bypasses these connections goes unseen: bf never opens one).
 *
 * - `clickhouse.database` is the default database of unqualified names, as the HTTP
 *   interface's `database` parameter makes it (`USE` on the session, once it exists).
 *
 * - Memory reads freed goes back to the system once the engine is idle (see `#purgeWhenIdle`).
 *
 * Calls of all embedded connections run one at a time, which the engine does anyway (queries
 * serialized); this keeps a reset, a counter read or a purge from interleaving with another call.
 */
export class EmbeddedConnection implements ClientConnection {
  readonly #inner: ClientConnection
  readonly #baseSettings: Record<string, SettingValue>
  #database: string | undefined
  /** False once a purge failed: an engine that refuses one refuses every one. */
  #purges = true
  /** `InsertedRows` after this connection's last INSERT, while no call that may insert has run since. */
  #insertedRowsKnown: { generation: number; value: number } | undefined

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
    const run = (): ReturnType<ClientConnection['query']> => this.#scoped(params.clickhouse_settings, () => this.#inner.query(params))
    if (startsWithInsert(params.query)) return this.#serial(() => mayInsert(run))
    const result = this.#serial(run)
    const purgeLater = (): void => this.#purgeWhenIdle()
    result.then(purgeLater, purgeLater)
    return result
  }

  insert(params: Parameters<ClientConnection['insert']>[0]): ReturnType<ClientConnection['insert']> {
    return this.#serial(() => mayInsert(() => this.#scoped(params.clickhouse_settings, () => this.#inner.insert(params))))
  }

  exec(params: Parameters<ClientConnection['exec']>[0]): ReturnType<ClientConnection['exec']> {
    return this.#serial(() => mayInsert(() => this.#scoped(params.clickhouse_settings, () => this.#inner.exec(params))))
  }

  command(params: CommandParams): Promise<CommandResult> {
    if (startsWithInsert(params.query)) return this.#serial(() => this.#countingInsertedRows(params))
    return this.#serial(() => mayInsert(() => this.#scoped(params.clickhouse_settings, () => this.#inner.command(params))))
  }

  close(): Promise<void> {
    if (idlePurge?.connection === this) {
      clearTimeout(idlePurge.timer)
      idlePurge = undefined
    }
    return this.#serial(() => this.#inner.close())
  }

  #serial<T>(call: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        await this.#useDatabase()
        return await call()
      } finally {
        callsInFlight--
      }
    }
    callsInFlight++
    const result = engineTail.then(run, run)
    engineTail = result.catch(() => undefined)
    return result
  }

  /**
   * Hands the memory reads freed back to the system once the engine has been idle for a
   * moment. The engine runs in bf's process, and its allocator keeps what a query freed
   * (hundreds of MB after a large refresh) as bf's resident memory until told otherwise;
   * purging after every read would make the next queries fault that memory in again, so a
   * busy engine (an apply's inserts and verifies) is left alone. A purge never fails a call:
   * one that fails (an engine without jemalloc, `readonly`) is not tried again on this connection.
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

  /**
   * An INSERT with its `written_rows`: the counter is read after it, in the same call when
   * the statement is an `INSERT … SELECT` (see `canReadAfter`), and before it unless the
   * reading after the last INSERT still holds.
   */
  async #countingInsertedRows(params: CommandParams): Promise<CommandResult> {
    const leaking = this.#leaking(params.clickhouse_settings)
    const known = this.#insertedRowsKnown?.generation === insertGeneration ? this.#insertedRowsKnown : undefined
    this.#insertedRowsKnown = undefined
    let result: CommandResult
    let before: number
    let after: number
    try {
      before = known?.value ?? (await this.#insertedRows())
      insertGeneration++
      if (canReadAfter(params.query)) {
        ;({ result, after } = await this.#insertThenRead(params, leaking))
      } else {
        result = await this.#inner.command(params)
        after = await this.#insertedRows(leaking)
      }
    } catch (error) {
      if (leaking.length > 0) await this.#resetSettings(leaking)
      throw error
    }
    this.#insertedRowsKnown = { generation: insertGeneration, value: after }
    const reported = Number(result.summary?.written_rows ?? 0)
    if (reported > 0) return result
    const summary = { ...(result.summary ?? emptySummary()), written_rows: String(after - before) }
    return { ...result, summary }
  }

  /** The INSERT, the reset of its settings and the counter read, as one call to the engine. */
  async #insertThenRead(params: CommandParams, reset: string[]): Promise<{ result: CommandResult; after: number }> {
    // On a line of its own: the statement may end in a `--` comment or its own `;`.
    const query = `${params.query}\n;${resetStatements(reset)} ${INSERTED_ROWS}`
    const answer = await this.#inner.query({ ...params, query })
    const after = await numberIn(answer.stream)
    return { result: { query_id: answer.query_id, response_headers: answer.response_headers, http_status_code: answer.http_status_code }, after }
  }

  /** The engine's `InsertedRows` (no row until something was inserted), after resetting the settings named in `reset`. */
  async #insertedRows(reset: string[] = []): Promise<number> {
    const result = await this.#inner.query({ query: `${resetStatements(reset)} ${INSERTED_ROWS}` })
    return numberIn(result.stream)
  }
}

const INSERTED_ROWS = "SELECT value FROM system.events WHERE event = 'InsertedRows' FORMAT TabSeparated"

function resetStatements(names: string[]): string {
  return names.length > 0 ? `SET ${names.map((name) => `${name} = DEFAULT`).join(', ')};` : ''
}

/**
 * Whether more statements can follow this INSERT in one call: not when it carries its
 * rows inline (`VALUES`, `FORMAT …` data), which would swallow what follows.
 */
function canReadAfter(sql: string): boolean {
  return hasKeyword(sql, 'SELECT') && !hasKeyword(sql, 'VALUES') && !hasKeyword(sql, 'FORMAT') && extraStatementsIn(sql).length === 0
}

async function numberIn(stream: AsyncIterable<unknown>): Promise<number> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return Number(text.trim() || '0')
}

function emptySummary(): NonNullable<CommandResult['summary']> {
  return { read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0' }
}
