import type { ClickHouseClientConfigOptions } from '@clickhouse/client'
import { UserError } from '../errors.js'
import type { SettingValue } from '../plan/model.js'

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
 *
 * - `clickhouse.database` is the default database of unqualified names, as the HTTP
 *   interface's `database` parameter makes it (`USE` on the session, once it exists).
 *
 * Calls run one at a time, which the engine does anyway (one session, queries serialized);
 * this keeps a reset or a counter read from interleaving with another call.
 */
export class EmbeddedConnection implements ClientConnection {
  readonly #inner: ClientConnection
  readonly #baseSettings: Record<string, SettingValue>
  #database: string | undefined
  #tail: Promise<unknown> = Promise.resolve()

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
    return this.#serial(() => this.#scoped(params.clickhouse_settings, () => this.#inner.query(params)))
  }

  insert(params: Parameters<ClientConnection['insert']>[0]): ReturnType<ClientConnection['insert']> {
    return this.#serial(() => this.#scoped(params.clickhouse_settings, () => this.#inner.insert(params)))
  }

  exec(params: Parameters<ClientConnection['exec']>[0]): ReturnType<ClientConnection['exec']> {
    return this.#serial(() => this.#scoped(params.clickhouse_settings, () => this.#inner.exec(params)))
  }

  command(params: CommandParams): Promise<CommandResult> {
    return this.#serial(() =>
      this.#scoped(params.clickhouse_settings, () => (startsWithInsert(params.query) ? this.#countingInsertedRows(params) : this.#inner.command(params))),
    )
  }

  close(): Promise<void> {
    return this.#serial(() => this.#inner.close())
  }

  #serial<T>(call: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.#useDatabase()
      return call()
    }
    const result = this.#tail.then(run, run)
    this.#tail = result.catch(() => undefined)
    return result
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

  async #scoped<T>(settings: Record<string, unknown> | undefined, call: () => Promise<T>): Promise<T> {
    const leaking = Object.entries(settings ?? {})
      .filter(([name, value]) => value !== undefined && !NOT_SET_BY_ENGINE.has(name) && SETTING_NAME.test(name) && this.#baseSettings[name] !== value)
      .map(([name]) => name)
    try {
      return await call()
    } finally {
      if (leaking.length > 0) await this.#resetSettings(leaking)
    }
  }

  async #resetSettings(names: string[]): Promise<void> {
    try {
      await this.#inner.command({ query: `SET ${names.map((name) => `${name} = DEFAULT`).join(', ')}` })
    } catch {
      // One unknown name fails the whole SET: reset the others one by one.
      for (const name of names) await this.#inner.command({ query: `SET ${name} = DEFAULT` }).catch(() => undefined)
    }
  }

  async #countingInsertedRows(params: CommandParams): Promise<CommandResult> {
    const before = await this.#insertedRows()
    const result = await this.#inner.command(params)
    const after = await this.#insertedRows()
    const reported = Number(result.summary?.written_rows ?? 0)
    if (reported > 0) return result
    const summary = { ...(result.summary ?? emptySummary()), written_rows: String(after - before) }
    return { ...result, summary }
  }

  async #insertedRows(): Promise<number> {
    const result = await this.#inner.query({
      query: "SELECT toString(sum(value)) FROM system.events WHERE event = 'InsertedRows' FORMAT TabSeparated",
    })
    let text = ''
    for await (const chunk of result.stream) text += String(chunk)
    return Number(text.trim() || '0')
  }
}

function emptySummary(): NonNullable<CommandResult['summary']> {
  return { read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0' }
}
