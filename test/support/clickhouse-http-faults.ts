import type { Fault, RequestMatch, SeenRequest } from './fault-proxy.js'
import type { WireRequest } from './clickhouse-http-wire.js'
import { RETRYABLE_CODES, exceptionText, httpStatusOf, parseWireRequest, statementText, unescapeText } from './clickhouse-http-wire.js'

/** A proxied request read as ClickHouse's HTTP interface reads it. */
export function wireOf(request: SeenRequest): WireRequest {
  return parseWireRequest(request.method, request.url, request.headers, request.body)
}

/**
 * Requests whose statement (leading blanks and comments left out) matches `pattern`, and
 * whose bound parameters have the given values.
 */
export function onSql(pattern: RegExp, params: Record<string, string> = {}): RequestMatch {
  return (request) => {
    const wire = wireOf(request)
    if (!pattern.test(statementText(wire.sql))) return false
    return Object.entries(params).every(([name, value]) => wire.params[name] !== undefined && unescapeText(wire.params[name] ?? '') === value)
  }
}

/** An error answered the way ClickHouse answers it (status, exception headers, `Code: N. DB::Exception: …` body). */
export function clickhouseError(code: number, type: string, message: string): Fault {
  return {
    kind: 'answer',
    status: httpStatusOf(code),
    headers: {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(code),
      ...(RETRYABLE_CODES.has(code) ? { 'X-ClickHouse-Exception-Retryable': '1' } : {}),
    },
    body: exceptionText(code, type, message),
  }
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }

/** The HTML error page a load balancer or proxy in front of ClickHouse answers with. */
export function errorPage(status: 500 | 502 | 503 | 504): Fault {
  const title = `${status} ${REASONS[status]}`
  return {
    kind: 'answer',
    status,
    headers: { 'Content-Type': 'text/html' },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  }
}
