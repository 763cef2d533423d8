import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/**
 * ClickHouse's HTTP interface as `@clickhouse/client` speaks it (read from its 1.23 sources):
 *
 * - `POST /?query_id=…&param_<name>=<value>&<setting>=<value>` with the SQL as the body;
 *   past 4 KB of parameters, `multipart/form-data` with the parts `query` and `param_<name>`;
 *   `GET /?query=SELECT 'ping'` for `ping({ select: true })`, `GET /ping` for the plain ping.
 * - Parameter values in ClickHouse's escaped text form: a String with `\t \n \r \' \\`
 *   escaped, an array as a literal (`['a','b\'c']`, `[1,2]`), a number as its digits.
 * - `query()` appends ` \nFORMAT <format>` to the SQL; `exec()` and `command()` rely on the
 *   `default_format` setting or the server's default (TabSeparated).
 * - Credentials as `Authorization: Basic …`.
 * - Answers carry `X-ClickHouse-Query-Id`, `X-ClickHouse-Format`, `X-ClickHouse-Summary` (a
 *   JSON object of strings). An error answers a non-2xx status with
 *   `X-ClickHouse-Exception-Code` and the body `Code: N. DB::Exception: message. (TYPE) (version …)`,
 *   which the client parses into a `ClickHouseError`.
 */

/** One request to the HTTP interface, as ClickHouse reads it. */
export interface WireRequest {
  method: string
  path: string
  /** The statement: the `query` parameter followed by the body (or the multipart `query` part). */
  sql: string
  /** `param_<name>` values as sent (escaped text), without the prefix. */
  params: Record<string, string>
  /** Every other parameter: settings, `default_format` included. */
  settings: Record<string, string>
  queryId: string
  database?: string
  user: { name: string; password: string }
}

export const SERVER_VERSION = '26.1.1.1'

/** URL parameters of the HTTP interface that are not settings. */
const NOT_SETTINGS = new Set(['query', 'query_id', 'database', 'user', 'password', 'quota_key', 'session_id', 'session_timeout', 'session_check', 'role', 'compress', 'decompress'])

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** `multipart/form-data` as the client writes it: one part per field, no files. */
export function multipartFields(body: string, contentType: string): Record<string, string> {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1]
  if (!boundary) return {}
  const fields: Record<string, string> = {}
  for (const part of body.split(`--${boundary}`)) {
    const name = /name="([^"]+)"/.exec(part)?.[1]
    const start = part.indexOf('\r\n\r\n')
    if (!name || start < 0) continue
    fields[name] = part.slice(start + 4).replace(/\r\n$/, '')
  }
  return fields
}

function credentials(headers: IncomingHttpHeaders, url: URL): { name: string; password: string } {
  const basic = /^Basic (.+)$/.exec(headers.authorization ?? '')?.[1]
  if (basic) {
    const text = Buffer.from(basic, 'base64').toString('utf8')
    const colon = text.indexOf(':')
    return { name: text.slice(0, colon), password: text.slice(colon + 1) }
  }
  const name = headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default'
  const password = headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? ''
  return { name: String(name), password: String(password) }
}

export function parseWireRequest(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: Buffer): WireRequest {
  const url = new URL(rawUrl, 'http://clickhouse.invalid')
  const contentType = headers['content-type'] ?? ''
  const fields = contentType.startsWith('multipart/form-data') ? multipartFields(body.toString('utf8'), contentType) : undefined
  const params: Record<string, string> = {}
  const settings: Record<string, string> = {}
  for (const [name, value] of [...url.searchParams.entries(), ...Object.entries(fields ?? {})]) {
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value
    else if (!NOT_SETTINGS.has(name)) settings[name] = value
  }
  const fromUrl = url.searchParams.get('query') ?? ''
  const fromBody = fields ? (fields.query ?? '') : method === 'POST' ? body.toString('utf8') : ''
  const database = url.searchParams.get('database') ?? undefined
  return {
    method,
    path: url.pathname,
    sql: fromUrl && fromBody ? `${fromUrl}\n${fromBody}` : fromUrl || fromBody,
    params,
    settings,
    queryId: url.searchParams.get('query_id') ?? '',
    ...(database === undefined ? {} : { database }),
    user: credentials(headers, url),
  }
}

/** The statement without leading blanks and comments. */
export function statementText(sql: string): string {
  return sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '')
}

/** The output format: the statement's trailing `FORMAT`, else `default_format`, else TabSeparated. */
export function outputFormat(wire: Pick<WireRequest, 'sql' | 'settings'>): string {
  return /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(wire.sql)?.[1] ?? wire.settings.default_format ?? 'TabSeparated'
}

/** Reads an escaped String value (the form of top-level parameters). */
export function unescapeText(text: string): string {
  const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', a: '\x07', v: '\v' }
  return text.replace(/\\(x[0-9A-Fa-f]{2}|.)/g, (_match, char: string) => (char.length === 3 ? String.fromCharCode(parseInt(char.slice(1), 16)) : (named[char] ?? char)))
}

type Literal = string | number | bigint | boolean | null | Literal[]

/** A parameter value in ClickHouse's literal form (`['a','b\'c']`, `[1,2]`, nested arrays). */
export function parseLiteral(text: string): Literal {
  let at = 0
  const skip = (): void => {
    while (at < text.length && /\s/.test(text[at] ?? '')) at++
  }
  const value = (): Literal => {
    skip()
    const char = text[at]
    if (char === '[') {
      at++
      const items: Literal[] = []
      skip()
      if (text[at] === ']') {
        at++
        return items
      }
      for (;;) {
        items.push(value())
        skip()
        const next = text[at++]
        if (next === ']') return items
        if (next !== ',') throw new Error(`cannot read the array parameter ${text}`)
      }
    }
    if (char === "'") {
      at++
      let raw = ''
      while (at < text.length && text[at] !== "'") {
        if (text[at] === '\\') raw += text[at++]
        raw += text[at++]
      }
      at++
      return unescapeText(raw)
    }
    const bare = /^[^,\]\s]+/.exec(text.slice(at))?.[0] ?? ''
    at += bare.length
    if (/^null$/i.test(bare)) return null
    if (/^(true|false)$/i.test(bare)) return bare.toLowerCase() === 'true'
    if (/^-?\d+$/.test(bare)) return Number.isSafeInteger(Number(bare)) ? Number(bare) : BigInt(bare)
    if (bare !== '' && !Number.isNaN(Number(bare))) return Number(bare)
    return bare
  }
  return value()
}

/** `{name:Type}` placeholders of a statement. */
function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>()
  for (const match of sql.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g)) types.set(match[1] ?? '', match[2] ?? '')
  return types
}

/** Parameter values for a client that formats them itself (the embedded engine's). */
export function decodeParams(sql: string, params: Record<string, string>): Record<string, unknown> {
  const types = placeholderTypes(sql)
  const decoded: Record<string, unknown> = {}
  for (const [name, text] of Object.entries(params)) {
    const type = types.get(name) ?? ''
    decoded[name] = /^(Array|Tuple|Map)\(/.test(type) ? parseLiteral(text) : unescapeText(text)
  }
  return decoded
}

/** ClickHouse's text of an exception, as the HTTP interface writes it. */
export function exceptionText(code: number, type: string, message: string): string {
  return `Code: ${code}. DB::Exception: ${message.trim().replace(/\.$/, '')}. (${type}) (version ${SERVER_VERSION})\n`
}

/** The status ClickHouse's HTTP handler answers an exception with. */
export function httpStatusOf(code: number): number {
  if ([194, 516].includes(code)) return 401
  if ([192, 193, 497].includes(code)) return 403
  if ([60, 81, 46, 47].includes(code)) return 404
  if ([62, 27, 26, 115, 457, 456].includes(code)) return 400
  if ([48].includes(code)) return 501
  if ([209, 210, 202].includes(code)) return 503
  return 500
}

/** Codes the server marks `X-ClickHouse-Exception-Retryable: 1`. */
export const RETRYABLE_CODES = new Set([3, 159, 164, 202, 203, 209, 210, 242, 252, 285, 319, 425, 999, 1002])

export function summaryHeader(summary: Partial<Record<string, string>> = {}): string {
  const fields = ['read_rows', 'read_bytes', 'written_rows', 'written_bytes', 'total_rows_to_read', 'result_rows', 'result_bytes', 'elapsed_ns']
  return JSON.stringify(Object.fromEntries(fields.map((field) => [field, summary[field] ?? '0'])))
}
