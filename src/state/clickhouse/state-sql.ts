import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { asServerError, translateError } from '../../warehouse/errors.js'
import type { ErrorScope } from '../../warehouse/errors.js'

export type Params = Record<string, unknown>
type Keep = (error: unknown) => boolean

/** 60 UNKNOWN_TABLE, 81 UNKNOWN_DATABASE: a state never written is an empty one. */
const ABSENT_CODES = new Set(['60', '81'])

export function isAbsentTable(error: unknown): boolean {
  const server = asServerError(error)
  return server !== undefined && ABSENT_CODES.has(server.code)
}

/** The server's error code of a failed call, if the server answered. */
export function serverCode(error: unknown): number | undefined {
  const server = asServerError(error)
  return server === undefined ? undefined : Number(server.code)
}

/**
 * The state's ClickHouse: statements with bound values, each failure a one-line error naming
 * the state cluster and what bf was doing. `writes` and `reads` are the settings that make a
 * write acknowledged only once it is on enough replicas and a read see every acknowledged one.
 */
export class StateSql {
  constructor(
    private readonly client: ClickHouseClient,
    readonly scope: ErrorScope,
    private readonly writes: ClickHouseSettings,
    private readonly reads: ClickHouseSettings,
  ) {}

  /** A statement without output; errors `keep` accepts are thrown as the client threw them, for the caller to judge. */
  async command(action: string, query: string, params: Params = {}, settings: ClickHouseSettings = {}, keep?: Keep): Promise<void> {
    await this.raw(action, () => this.client.command({ query, query_params: params, clickhouse_settings: { ...this.writes, ...settings } }), keep)
  }

  /** Rows sent as the body of an INSERT (JSONEachRow): any number, no condition. */
  async insert(action: string, table: string, columns: string[], values: object[]): Promise<void> {
    await this.raw(action, () => this.client.insert({ table, columns: columns as [string, ...string[]], values, format: 'JSONEachRow', clickhouse_settings: this.writes }))
  }

  /**
   * An `INSERT … SELECT` whose values are too many for a URL: sent as a query, whose
   * parameters travel in the request's body over HTTP (a command's go in its URL).
   */
  async insertSelect(action: string, query: string, params: Params, keep?: Keep): Promise<void> {
    await this.raw(
      action,
      async () => {
        const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: this.writes, use_multipart_params: true })
        await result.text()
      },
      keep,
    )
  }

  async rows<T>(action: string, query: string, params: Params = {}, keep?: Keep): Promise<T[]> {
    return this.raw(
      action,
      async () => {
        const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: this.reads })
        return result.json<T>()
      },
      keep,
    )
  }

  /**
   * The lines of a query that writes its own (`TabSeparatedRaw` of one column, each line as
   * the server made it), whole: what the embedded engine hands over at once anyway.
   */
  async lines(action: string, query: string, params: Params = {}): Promise<string[]> {
    const lines: string[] = []
    for await (const batch of this.lineBatches(action, query, params)) for (const line of batch) lines.push(line)
    return lines
  }

  /**
   * The lines of such a query a batch at a time, split and decoded as they arrive (far
   * cheaper than the client's `text()`, whose streaming decoder costs more than the rows
   * themselves). Over HTTP the result streams: a read of any size holds a few batches.
   */
  async *lineBatches(action: string, query: string, params: Params = {}): AsyncGenerator<string[]> {
    const result = await this.raw(action, () => this.client.query({ query, query_params: params, format: 'TabSeparatedRaw', clickhouse_settings: this.reads }))
    try {
      for await (const batch of result.stream()) yield batch.map((row) => row.text)
    } catch (error) {
      throw translateError(error, this.scope, action)
    } finally {
      result.close()
    }
  }

  /** Runs `call`, turning its failure into a one-line error; `keep` errors pass unchanged for the caller to judge. */
  private async raw<T>(action: string, call: () => Promise<T>, keep?: Keep): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (keep?.(error)) throw error
      throw translateError(error, this.scope, action)
    }
  }

  close(): Promise<void> {
    return this.client.close()
  }
}
