/** Values bound to `{name:Type}` placeholders. */
export type SqlParams = Record<string, string | number | string[]>

/** The little the quickstart needs from ClickHouse: run a statement that returns nothing. */
export interface SqlRunner {
  command(sql: string, params?: SqlParams): Promise<void>
}
