import { setTimeout as delay } from 'node:timers/promises'
import { boundedMemo } from '../common/bounded-memo.js'
import { sha256Hex } from '../common/sha256.js'
import { errorMessage } from '../common/error-text.js'
import { formatDuration } from '../plan/duration.js'
import { formatTimestamp } from '../plan/timestamp.js'
import type { ClusterSpec, JobSpec } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'
import { unitParams } from '../warehouse/sql-values.js'
import type { QueryStatus, Warehouse } from '../warehouse/warehouse.js'
import { WarehouseError } from '../warehouse/warehouse.js'
import type { AttemptKey, JobContext, JobOutcome, JobRequest, Launcher, PreflightFinding } from './launcher.js'

export interface SqlLauncherOptions {
  /** How often bf looks up a query still running on the server after a restart (default 1 s). */
  pollMs?: number
  /**
   * Sends of one attempt's INSERT in all while the server keeps no trace of it finishing
   * (the answer was lost, the query log does not know it). Default 3.
   */
  maxSends?: number
}

/** The parameters every job statement may use. */
const BOUND_NAMES = new Set(['customer', 'start', 'end', 'cluster'])

/** A unit address's hash: an attempt names its query twice (ahead of its run, and when it runs), each time by query id and token. */
const unitHash = boundedMemo(sha256Hex, 256)

/**
 * `bf-<unit hash>-a<attempt>-<lineage prefix>`: the same for every start of one attempt of
 * one unit, so a restarted bf finds the query it sent before it died.
 */
export function insertQueryId(request: AttemptKey): string {
  const lineage = request.lineage.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)
  return `bf-${unitHash(request.unitAddress).slice(0, 12)}-a${request.attempt}-${lineage}`
}

/**
 * Unique per state, unit and attempt: a replicated table keeps a re-insert of a unit the
 * backfill deleted (the block is new to it), and drops the blocks of a resent attempt it
 * already has. The unit appears as a hash, so the token holds no customer text.
 */
export function insertDeduplicationToken(request: AttemptKey): string {
  return `bf:${request.lineage}:${unitHash(request.unitAddress).slice(0, 16)}:a${request.attempt}`
}

/** The statement without leading blanks and comments. */
function withoutLeadingComments(sql: string): string {
  return sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '')
}

/** Names of the `{name:Type}` parameters of `sql`, outside string literals and comments. */
function parameterNames(sql: string): string[] {
  const code = sql.replace(/'(?:[^'\\]|\\.|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
  return [...code.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:[^{}]+\}/g)].map((match) => match[1] ?? '')
}

function sqlString(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')
  return `'${escaped}'`
}

type Race<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'timed-out' } | { kind: 'interrupted' }

/**
 * Runs `job.sql`, an `INSERT … SELECT`, for one unit through the cluster's warehouse, with
 * `{customer:String}`, `{start:DateTime}`, `{end:DateTime}` and `{cluster:String}` bound.
 *
 * Each attempt runs under a fixed query id, made from the unit, the attempt and the
 * lineage, so a restarted bf knows it from the attempt's start record alone (`identify`
 * puts it there, for people to see while the query runs). After a crash, or
 * a send whose answer was lost, the query is looked up by that id: one still running is
 * waited for, one finished is adopted, one failed or unknown is sent again with the same
 * deduplication token (so blocks the server already holds from it are not written twice).
 *
 * A timeout or an interrupt fails the attempt at once; the warehouse offers no way to
 * cancel the query, so the server may still finish it.
 */
export class SqlLauncher implements Launcher {
  readonly kind = 'sql' as const
  readonly onFirstStop = 'finish' as const
  private readonly warehouseFor: (cluster: string) => Warehouse | Promise<Warehouse>
  private readonly pollMs: number
  private readonly maxSends: number

  /** `warehouseFor` gives the warehouse of a cluster of the plan (opened once, closed by its owner). */
  constructor(warehouseFor: (cluster: string) => Warehouse | Promise<Warehouse>, options: SqlLauncherOptions = {}) {
    this.warehouseFor = warehouseFor
    this.pollMs = options.pollMs ?? 1_000
    this.maxSends = Math.max(1, options.maxSends ?? 3)
  }

  async preflight(_cluster: ClusterSpec, job: JobSpec): Promise<PreflightFinding[]> {
    const sql = job.sql?.trim() ?? ''
    if (sql === '') return [{ severity: 'error', code: 'sql-missing', message: 'job.sql is empty: give the INSERT … SELECT to run for each unit' }]
    const findings: PreflightFinding[] = []
    if (!/^INSERT\b/i.test(withoutLeadingComments(sql))) {
      findings.push({ severity: 'error', code: 'sql-not-insert', message: 'job.sql must be one INSERT … SELECT statement' })
    }
    const unknown = [...new Set(parameterNames(sql).filter((name) => !BOUND_NAMES.has(name)))]
    if (unknown.length > 0) {
      findings.push({
        severity: 'error',
        code: 'sql-unknown-parameter',
        message: `job.sql uses ${unknown.map((name) => `{${name}:…}`).join(', ')}; bf binds only {customer:String}, {start:DateTime}, {end:DateTime} and {cluster:String}`,
      })
    }
    return findings
  }

  async describe(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<string> {
    const params = unitParams({ customer: request.customer, window: request.batch, cluster: request.cluster.name })
    const time = (seconds: number): string => `${formatTimestamp(seconds * 1_000)} (${seconds})`
    return [
      (request.job.sql ?? '').trim(),
      `-- customer = ${sqlString(String(params.customer))}`,
      `-- start    = ${time(Number(params.start))}`,
      `-- end      = ${time(Number(params.end))}`,
      `-- cluster  = ${sqlString(String(params.cluster))}`,
    ].join('\n')
  }

  async identify(attempt: AttemptKey): Promise<Record<string, JsonValue>> {
    return { queryId: insertQueryId(attempt), deduplicationToken: insertDeduplicationToken(attempt) }
  }

  async run(request: JobRequest, context: JobContext, previous?: Record<string, JsonValue>): Promise<JobOutcome> {
    const sql = request.job.sql
    if (sql === undefined || sql.trim() === '') return { ok: false, outputs: {}, error: 'job.sql is empty' }
    let params: Record<string, string | number>
    try {
      params = unitParams({ customer: request.customer, window: request.batch, cluster: request.cluster.name })
    } catch (error) {
      return { ok: false, outputs: {}, error: errorMessage(error) }
    }
    const warehouse = await this.warehouseFor(request.cluster.name)
    const queryId = insertQueryId(request)
    const deduplicationToken = insertDeduplicationToken(request)
    const recorded = { queryId, deduplicationToken }

    // A started attempt may have sent its query whether or not its id was recorded.
    if (previous !== undefined) {
      const startedAt = typeof previous.startedAt === 'string' ? Date.parse(previous.startedAt) : Date.now()
      const adopted = await this.reconcile(warehouse, typeof previous.queryId === 'string' ? previous.queryId : queryId, request, context, startedAt)
      if (adopted) return adopted
      context.note(`sending ${queryId} again with the same deduplication token`)
    }
    if (request.signal.aborted) return { ok: false, outputs: recorded, error: 'interrupted' }

    context.note(`INSERT ${queryId} for ${request.customer} ${request.batch.label}`)
    return this.send(warehouse, { sql, params, ...recorded }, request, context, Date.now())
  }

  /** Sends the attempt's INSERT, again while the server keeps no trace of an uncertain send. */
  private async send(
    warehouse: Warehouse,
    insert: { sql: string; params: Record<string, string | number>; queryId: string; deduplicationToken: string },
    request: JobRequest,
    context: JobContext,
    startedAt: number,
  ): Promise<JobOutcome> {
    const { sql, params, queryId, deduplicationToken } = insert
    const recorded = { queryId, deduplicationToken }
    for (let send = 1; ; send++) {
      const result = await this.race(warehouse.insert(sql, params, { queryId, deduplicationToken }), request, startedAt)
      switch (result.kind) {
        case 'done':
          return { ok: true, outputs: { ...recorded, writtenRows: result.value.writtenRows } }
        case 'failed':
          // The client gave up but the server may have gone on: look the query up before failing.
          if (result.error instanceof WarehouseError && result.error.uncertain) {
            const adopted = await this.reconcile(warehouse, queryId, request, context, startedAt)
            if (adopted) return adopted
            // Same query id and token: blocks a lost first send wrote are dropped as duplicates.
            if (send < this.maxSends && !request.signal.aborted) {
              context.note(`sending ${queryId} again with the same deduplication token (${errorMessage(result.error)})`)
              continue
            }
          }
          return { ok: false, outputs: recorded, error: errorMessage(result.error) }
        case 'timed-out':
          return { ok: false, outputs: recorded, error: this.timeoutText(request) }
        case 'interrupted':
          return { ok: false, outputs: recorded, error: 'interrupted' }
      }
    }
  }

  async close(): Promise<void> {}

  /**
   * What the server knows of `queryId`: waits while it runs; an outcome when it finished
   * (or when waiting had to stop), undefined when it must be sent again.
   */
  private async reconcile(warehouse: Warehouse, queryId: string, request: JobRequest, context: JobContext, startedAt: number): Promise<JobOutcome | undefined> {
    const outputs = { queryId, deduplicationToken: insertDeduplicationToken(request) }
    let status: QueryStatus = await warehouse.queryStatus(queryId)
    if (status === 'running') context.note(`query ${queryId} is still running on the server; waiting for it`)
    while (status === 'running') {
      const waited = await this.race(delay(this.pollMs), request, startedAt)
      if (waited.kind === 'timed-out') return { ok: false, outputs, error: this.timeoutText(request) }
      if (waited.kind === 'interrupted') return { ok: false, outputs, error: 'interrupted' }
      status = await warehouse.queryStatus(queryId)
    }
    if (status === 'finished') {
      context.note(`query ${queryId} had already finished; not running it again`)
      return { ok: true, outputs: { ...outputs, writtenRows: null, note: 'found finished on the server: rows written unknown' } }
    }
    context.note(`query ${queryId} ${status === 'failed' ? 'failed on the server' : 'is unknown to the server'}`)
    return undefined
  }

  /** `work`, unless the attempt's deadline passes or bf is interrupted first; its listener and timer are let go as soon as one of them is. */
  private race<T>(work: Promise<T>, request: JobRequest, startedAt: number): Promise<Race<T>> {
    const { signal } = request
    if (signal.aborted) return Promise.resolve({ kind: 'interrupted' })
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const finish = (outcome: Race<T>): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', interrupted)
        resolve(outcome)
      }
      const interrupted = (): void => finish({ kind: 'interrupted' })
      signal.addEventListener('abort', interrupted, { once: true })
      const timeoutMs = request.job.timeoutMs
      if (timeoutMs !== undefined) timer = setTimeout(() => finish({ kind: 'timed-out' }), Math.max(0, startedAt + timeoutMs - Date.now()))
      work.then(
        (value) => finish({ kind: 'done', value }),
        (error: unknown) => finish({ kind: 'failed', error }),
      )
    })
  }

  private timeoutText(request: JobRequest): string {
    return `timed out after ${formatDuration(request.job.timeoutMs ?? 0)}`
  }
}
