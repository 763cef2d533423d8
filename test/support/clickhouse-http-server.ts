import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@clickhouse/client'
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { EmbeddedConnection } from '../../src/warehouse/embedded-connection.js'
import type { WireRequest } from './clickhouse-http-wire.js'
import { embeddedConnection } from './embedded-client.js'
import {
  RETRYABLE_CODES,
  decodeParams,
  exceptionText,
  httpStatusOf,
  outputFormat,
  parseWireRequest,
  readBody,
  statementText,
  summaryHeader,
} from './clickhouse-http-wire.js'

/**
 * A ClickHouse HTTP interface in the test process: each request runs on the embedded
 * engine (one data folder per process) through `@clickhouse/client`, with its bound
 * parameters, its settings for that query only, its query id and output format. bf's real
 * HTTP client talks to it as to a server; faults go in a `FaultProxy` in front.
 */
export interface ClickHouseHttpServer {
  url: string
  port: number
  /** `127.0.0.1:PORT`, as bf names the server in messages. */
  endpoint: string
  /** Every statement run, in order. */
  served: ServedStatement[]
  /** Requests must carry these credentials from now on (undefined: anyone). */
  credentials: { username: string; password: string } | undefined
  close(): Promise<void>
}

export interface ServedStatement {
  sql: string
  params: Record<string, string>
  settings: Record<string, string>
  queryId: string
  /** ClickHouse's error code when it failed. */
  error?: number
}

class Refusal extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

function serverError(error: unknown): { code: number; type: string; message: string } {
  if (error instanceof Refusal) return error
  const shape = error as { code?: unknown; type?: unknown; message?: unknown }
  const code = typeof shape.code === 'string' && /^\d+$/.test(shape.code) ? Number(shape.code) : 1001
  const type = typeof shape.type === 'string' ? shape.type : 'STD_EXCEPTION'
  return { code, type, message: typeof shape.message === 'string' ? shape.message : String(error) }
}

function contentTypeOf(format: string): string {
  if (/^JSON/i.test(format)) return /EachRow$/i.test(format) ? 'application/x-ndjson; charset=UTF-8' : 'application/json; charset=UTF-8'
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent'
  return 'text/tab-separated-values; charset=UTF-8'
}

/** The result's bytes as the engine made them (no decoding: a state read is megabytes a page). */
async function bytes(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
}

export async function startClickHouseHttpServer(options: {
  dataPath: string
  credentials?: { username: string; password: string }
  /** Users who may only read: their requests run with `readonly = 1`, so the engine refuses their writes (164 READONLY) as a server refuses those of a user granted only SELECT. */
  readOnlyUsers?: { username: string; password: string }[]
}): Promise<ClickHouseHttpServer> {
  // bf's own wrapper keeps each request's settings to that request.
  const connection = new EmbeddedConnection(embeddedConnection(options.dataPath), { settings: {} })
  const engine: ClickHouseClient = createClient({ connection })
  const served: ServedStatement[] = []
  let credentials = options.credentials

  // The engine counts the rows inserted by the whole process: one INSERT at a time, read before and after.
  let inserting: Promise<unknown> = Promise.resolve()
  const insertedRows = async (): Promise<number> => {
    const result = await engine.query({ query: "SELECT value FROM system.events WHERE event = 'InsertedRows'", format: 'TabSeparated' })
    return Number((await result.text()).trim() || '0')
  }
  function countingInsertedRows(insert: () => Promise<unknown>): Promise<number> {
    const counted = inserting.then(async () => {
      const before = await insertedRows()
      await insert()
      return (await insertedRows()) - before
    })
    inserting = counted.catch(() => undefined)
    return counted
  }

  async function run(wire: WireRequest): Promise<{ body: string | Buffer; summary?: Record<string, string> }> {
    const readOnly = options.readOnlyUsers?.find((user) => user.username === wire.user.name)
    if (readOnly) {
      if (readOnly.password !== wire.user.password) throw new Refusal(516, 'AUTHENTICATION_FAILED', `${wire.user.name}: Authentication failed: password is incorrect, or there is no user with such name`)
    } else if (credentials && (wire.user.name !== credentials.username || wire.user.password !== credentials.password)) {
      throw new Refusal(516, 'AUTHENTICATION_FAILED', `${wire.user.name}: Authentication failed: password is incorrect, or there is no user with such name`)
    }
    if (wire.database !== undefined && wire.database !== 'default') throw new Refusal(48, 'NOT_IMPLEMENTED', 'this test server knows only the default database')
    const { default_format: _format, ...sent } = wire.settings
    const settings = readOnly ? { ...sent, readonly: '1' } : sent
    const request = {
      query: wire.sql,
      query_params: decodeParams(wire.sql, wire.params),
      clickhouse_settings: settings as ClickHouseSettings,
      ...(wire.queryId ? { query_id: wire.queryId } : {}),
    }
    if (/^INSERT\b/i.test(statementText(wire.sql))) {
      const written = await countingInsertedRows(() => engine.command(request))
      return { body: '', summary: { written_rows: String(written) } }
    }
    const result = await engine.exec({ ...request, clickhouse_settings: { ...request.clickhouse_settings, default_format: outputFormat(wire) as ClickHouseSettings['default_format'] } })
    const body = await bytes(result.stream)
    return { body, ...(result.summary ? { summary: { ...result.summary } } : {}) }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request)
    const wire = parseWireRequest(request.method ?? 'GET', request.url ?? '/', request.headers, body)
    if (wire.path === '/ping') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n')
      return
    }
    const format = outputFormat(wire)
    const common = {
      'X-ClickHouse-Query-Id': wire.queryId,
      'X-ClickHouse-Server-Display-Name': 'bf-test-clickhouse',
      'X-ClickHouse-Timezone': 'UTC',
      'Keep-Alive': 'timeout=10',
    }
    const record: ServedStatement = { sql: wire.sql, params: wire.params, settings: wire.settings, queryId: wire.queryId }
    served.push(record)
    try {
      if (wire.sql.trim() === '') throw new Refusal(62, 'SYNTAX_ERROR', 'Empty query')
      const answer = await run(wire)
      if (response.destroyed) return
      response.writeHead(200, { ...common, 'Content-Type': contentTypeOf(format), 'X-ClickHouse-Format': format, 'X-ClickHouse-Summary': summaryHeader(answer.summary) })
      response.end(answer.body)
    } catch (error) {
      const failure = serverError(error)
      record.error = failure.code
      if (response.destroyed) return
      response.writeHead(httpStatusOf(failure.code), {
        ...common,
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(failure.code),
        ...(RETRYABLE_CODES.has(failure.code) ? { 'X-ClickHouse-Exception-Retryable': '1' } : {}),
        'X-ClickHouse-Summary': summaryHeader(),
      })
      response.end(exceptionText(failure.code, failure.type, failure.message))
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' })
      response.end(String(error))
    })
  })
  server.keepAliveTimeout = 10_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    endpoint: `127.0.0.1:${port}`,
    served,
    get credentials() {
      return credentials
    },
    set credentials(next) {
      credentials = next
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await engine.close()
    },
  }
}
