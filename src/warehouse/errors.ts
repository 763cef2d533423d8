/** Where a warehouse call went, for messages: never holds a credential. */
export interface ErrorScope {
  /** bf's cluster name from the plan. */
  cluster: string
  /** `host:port` of the server, or `embedded <path>`. */
  endpoint: string
  /** Values that must never appear in a message (the password). */
  secrets: readonly string[]
}

/** 159 TIMEOUT_EXCEEDED and 341 UNFINISHED: the server stopped waiting, the work goes on. */
const STILL_RUNNING_CODES = new Set([159, 341])

/**
 * Codes worth another try: those ClickHouse itself marks retryable (its HTTP answer
 * carries `X-ClickHouse-Exception-Retryable: 1` for them) and 341, split by whether the
 * statement can have run before it failed. Refused up front: 164 READONLY, 202
 * TOO_MANY_SIMULTANEOUS_QUERIES, 203 NO_FREE_CONNECTION, 242 TABLE_IS_READ_ONLY, 252
 * TOO_MANY_PARTS. Possibly part-way: 3 UNEXPECTED_END_OF_FILE, 159 TIMEOUT_EXCEEDED, 209
 * SOCKET_TIMEOUT, 210 NETWORK_ERROR, 285 TOO_FEW_LIVE_REPLICAS, 319
 * UNKNOWN_STATUS_OF_INSERT, 341 UNFINISHED, 425 SYSTEM_ERROR, 999 KEEPER_EXCEPTION, 1002
 * UNKNOWN_EXCEPTION.
 */
const REFUSED_UP_FRONT_CODES = new Set([164, 202, 203, 242, 252])
const MAYBE_RAN_CODES = new Set([3, 159, 209, 210, 285, 319, 341, 425, 999, 1002])
/**
 * 241 MEMORY_LIMIT_EXCEEDED is transient only when the whole server ran short
 * (`memory limit (total) exceeded`); a query over its own limit fails the same way again.
 */
const MEMORY_LIMIT_EXCEEDED = 241

const HINTS: Record<number, string> = {
  60: 'check the table names of the plan (target, readTable, expected)',
  81: 'check the database names of the plan',
  159: 'the server timed out waiting; the statement may still complete on the server: look it up before running it again',
  194: 'check clickhouse.username and clickhouse.password',
  192: 'check clickhouse.username',
  193: 'check clickhouse.password',
  497: 'the ClickHouse user lacks a grant bf needs',
  516: 'check clickhouse.username and clickhouse.password',
  692: 'too many unfinished mutations on the table: wait for them, or lower guards.maxPendingMutations',
  701: 'check clickhouse.cluster: the server has no such cluster in system.clusters',
}

/** A failed warehouse call, with what went wrong and where, and nothing secret. */
export class WarehouseError extends Error {
  readonly cluster: string
  readonly endpoint: string
  /** ClickHouse's error code, when the server answered with one. */
  readonly code?: number
  /** ClickHouse's error name (`UNKNOWN_TABLE`). */
  readonly type?: string
  /**
   * The request may have been carried out even though it failed here (client timeout,
   * connection reset, server-side timeout): look the effect up before sending it again.
   */
  readonly uncertain: boolean
  /** Another try may succeed (server overloaded or restarting, connection lost); false for mistakes that stay. */
  readonly transient: boolean

  constructor(message: string, details: { cluster: string; endpoint: string; code?: number; type?: string; uncertain: boolean; transient?: boolean }) {
    super(message)
    this.name = 'WarehouseError'
    this.cluster = details.cluster
    this.endpoint = details.endpoint
    if (details.code !== undefined) this.code = details.code
    if (details.type !== undefined) this.type = details.type
    this.uncertain = details.uncertain
    this.transient = details.transient ?? false
  }
}

/** Removes `user:password@` from every URL in `text`, and every secret value. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let clean = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1')
  for (const secret of secrets) {
    if (secret.length > 0) clean = clean.split(secret).join('***')
  }
  return clean
}

interface ServerErrorShape {
  message: string
  code: string
  type?: string
}

/**
 * Errors of the ClickHouse server. Checked by shape, not by class: the embedded engine
 * throws the `ClickHouseError` of its own copy of the client's common package.
 */
export function asServerError(err: unknown): ServerErrorShape | undefined {
  if (!(err instanceof Error)) return undefined
  const { code, type } = err as Error & { code?: unknown; type?: unknown }
  if (typeof code !== 'string' || !/^\d+$/.test(code)) return undefined
  return { message: err.message, code, ...(typeof type === 'string' ? { type } : {}) }
}

export function isStillRunningCode(code: number | undefined): boolean {
  return code !== undefined && STILL_RUNNING_CODES.has(code)
}

interface Problem {
  text: string
  uncertain: boolean
  transient: boolean
}

/** An answer that is not ClickHouse's (a proxy's or load balancer's error page), in one line. */
function errorPageText(text: string): string | undefined {
  if (!/<(?:html|body|head|title|h1|center|hr)\b/i.test(text)) return undefined
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
  const plain =
    title ||
    text
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  return `the server answered with an HTTP error page, not ClickHouse: ${plain.length > 200 ? `${plain.slice(0, 200)}…` : plain}`
}

function transportProblem(err: Error): Problem {
  const code = (err as Error & { code?: unknown }).code
  switch (code) {
    case 'ECONNREFUSED':
      return { text: 'connection refused: is the server up, and is the URL right?', uncertain: false, transient: true }
    case 'ENOTFOUND':
      return { text: 'host not found: check clickhouse.url', uncertain: false, transient: false }
    case 'EAI_AGAIN':
      return { text: 'host not found (DNS lookup failed for now): check clickhouse.url', uncertain: false, transient: true }
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ETIMEDOUT':
      return { text: `connection lost (${code}); the statement may have run: look it up before sending it again`, uncertain: true, transient: true }
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return { text: `TLS failure (${code}): check the server's certificate`, uncertain: false, transient: false }
  }
  if (/timeout/i.test(err.message)) {
    return { text: 'no answer before the request timeout; the statement may still be running on the server: look it up before sending it again', uncertain: true, transient: true }
  }
  // Whatever else broke between bf and the server (an error page, a cut stream) may pass.
  return { text: errorPageText(err.message) ?? err.message, uncertain: true, transient: true }
}

function serverCodeProblem(code: number, message: string): Pick<Problem, 'uncertain' | 'transient'> {
  if (REFUSED_UP_FRONT_CODES.has(code)) return { uncertain: false, transient: true }
  if (MAYBE_RAN_CODES.has(code)) return { uncertain: true, transient: true }
  if (code === MEMORY_LIMIT_EXCEEDED && /memory limit \(total\)/i.test(message)) return { uncertain: true, transient: true }
  return { uncertain: false, transient: false }
}

/** Turns anything thrown by the client into a `WarehouseError` naming the cluster, endpoint and action. */
export function translateError(err: unknown, scope: ErrorScope, action: string): WarehouseError {
  if (err instanceof WarehouseError) return err
  const where = `cluster ${scope.cluster} (${scope.endpoint})`
  const server = asServerError(err)
  if (server) {
    const code = Number(server.code)
    const hint = HINTS[code]
    const name = server.type ? ` ${server.type}` : ''
    const message = `${action} failed on ${where}: ClickHouse error ${code}${name}: ${server.message.trim()}${hint ? ` (${hint})` : ''}`
    return new WarehouseError(redact(message, scope.secrets), {
      cluster: scope.cluster,
      endpoint: scope.endpoint,
      code,
      ...(server.type ? { type: server.type } : {}),
      ...serverCodeProblem(code, server.message),
    })
  }
  const error = err instanceof Error ? err : new Error(String(err))
  const problem = transportProblem(error)
  return new WarehouseError(redact(`${action} failed on ${where}: ${problem.text}`, scope.secrets), {
    cluster: scope.cluster,
    endpoint: scope.endpoint,
    uncertain: problem.uncertain,
    transient: problem.transient,
  })
}
