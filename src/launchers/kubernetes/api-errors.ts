/**
 * Reading errors of the Kubernetes client. `ApiException.body` is the raw response text:
 * the useful part is the `kind: Status` object inside it (`reason`, `message`), not
 * `err.message`, which dumps headers and the raw body.
 */

import { errorMessage } from '../../common/error-text.js'

/** What bf shows of a failed API call. */
export interface KubeStatus {
  /** HTTP status code (0 when the request never got an answer). */
  code: number
  /** `NotFound`, `AlreadyExists`, `Forbidden`, `Invalid`, … when the server said. */
  reason?: string
  message?: string
  /** Seconds to wait, from a `Retry-After` header or the Status' `details.retryAfterSeconds`. */
  retryAfterSeconds?: number
}

interface StatusBody {
  kind?: string
  code?: number
  reason?: string
  message?: string
  details?: { retryAfterSeconds?: number }
}

const TRANSIENT_HTTP = new Set([429, 500, 502, 503, 504])
const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
])

/** The Status of a failed API call, or undefined for errors that are not HTTP answers. */
export function apiStatus(error: unknown): KubeStatus | undefined {
  if (!isObject(error)) return undefined
  const code = typeof error.code === 'number' ? error.code : typeof error.statusCode === 'number' ? error.statusCode : undefined
  if (code === undefined) return undefined
  const body = parseStatusBody(error.body)
  const headerSeconds = retryAfterHeader(error.headers)
  const retryAfterSeconds = headerSeconds ?? body?.details?.retryAfterSeconds
  return {
    code,
    ...(body?.reason ? { reason: body.reason } : {}),
    ...(body?.message ? { message: body.message } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  }
}

/** A Status object as sent in a watch `ERROR` event. */
export function statusFromObject(object: unknown): KubeStatus {
  const body = parseStatusBody(object)
  return {
    code: body?.code ?? 0,
    ...(body?.reason ? { reason: body.reason } : {}),
    ...(body?.message ? { message: body.message } : {}),
  }
}

/** One line for a person: `Forbidden: jobs.batch is forbidden: …`, or the network error. */
export function describeApiError(error: unknown): string {
  const status = apiStatus(error)
  if (status) {
    const head = status.reason ?? `HTTP ${status.code}`
    return status.message ? `${head}: ${status.message}` : head
  }
  const message = errorMessage(error)
  const code = isObject(error) && typeof error.code === 'string' ? error.code : undefined
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

/** True for errors worth another try: overload, server errors, dropped connections, timeouts. */
export function isTransientApiError(error: unknown): boolean {
  const status = apiStatus(error)
  if (status) return TRANSIENT_HTTP.has(status.code)
  if (!isObject(error)) return false
  if (typeof error.code === 'string' && TRANSIENT_NETWORK.has(error.code)) return true
  if (error.type === 'request-timeout' || error.type === 'body-timeout') return true
  // A request cut by bf's own per-request timeout (the caller checks its signal first).
  return error.name === 'AbortError' || error.name === 'TimeoutError'
}

/** Milliseconds the server asked to wait before the next try, if it said. */
export function retryAfterMs(error: unknown): number | undefined {
  const seconds = apiStatus(error)?.retryAfterSeconds
  return seconds === undefined ? undefined : seconds * 1000
}

function parseStatusBody(body: unknown): StatusBody | undefined {
  let value = body
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (!isObject(value)) return undefined
  return value as StatusBody
}

function retryAfterHeader(headers: unknown): number | undefined {
  if (!isObject(headers)) return undefined
  const raw = headers['retry-after'] ?? headers['Retry-After']
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds
  const date = Date.parse(String(raw))
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** What to tell a person when RBAC refuses bf a verb on a resource. */
export function forbiddenMessage(verb: string, resource: string, namespace: string): string {
  return `forbidden: cannot ${verb} ${resource} in namespace ${namespace} — grant ${verb} on ${resource}`
}
