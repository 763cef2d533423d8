import { randomUUID } from 'node:crypto'
import { UserError } from '../../errors.js'
import { asServerError } from '../../warehouse/errors.js'
import type { LeaseBackend, LeaseRecord, StoredLease } from '../lease-backend.js'
import { parseHolderText } from '../lock-info-text.js'
import { noteProcessLeaseHolder, processLeaseFence } from './lease-fence.js'
import type { LeaseFence } from './lease-fence.js'
import { isAbsentTable, serverCode } from './state-sql.js'
import type { StateSql } from './state-sql.js'
import { leaseTableDdl, tableNames } from './state-table.js'
import type { StateTableSpec } from './state-table.js'

/** Strict mode makes an INSERT fail on an existing key and an UPDATE or DELETE fail when the row changed since it was read (Keeper versions). */
const STRICT = { keeper_map_strict_mode: 1, async_insert: 0, mutations_sync: '2' } as const

/** 999 KEEPER_EXCEPTION: the key exists (insert), or its version moved (update, delete) — another bf won the race. */
const KEEPER_CONFLICT = 999

/**
 * A plan's lease as a row of a KeeperMap table (`<table>_lease`, key: the plan), which
 * Keeper keeps linearizable: of two bf racing for it, exactly one changes it. Each write
 * gives the row a new random `version`, which the next conditional change names.
 */
export class KeeperMapLease implements LeaseBackend {
  readonly where: string
  private readonly names
  private created = false
  /** This lease among those the embedded engine's Keeper keeps in this process. */
  private readonly processKey: string

  constructor(
    private readonly sql: () => Promise<StateSql>,
    private readonly spec: StateTableSpec,
    private readonly plan: string,
    private readonly clusterName: string,
  ) {
    this.names = tableNames(spec)
    this.where = `KeeperMap table ${this.names.leaseShown}`
    this.processKey = `${this.names.lease}\0${plan}`
  }

  async read(): Promise<StoredLease | undefined> {
    const stored = await this.readRow()
    if (this.spec.embedded) noteProcessLeaseHolder(this.processKey, stored?.record)
    return stored
  }

  private async readRow(): Promise<StoredLease | undefined> {
    const sql = await this.sql()
    let rows: { version: string; record: string }[]
    try {
      const query = `SELECT version, record FROM ${this.names.lease} WHERE plan = {plan:String}`
      rows = await sql.rows(`reading the lease in ${this.where}`, query, { plan: this.plan }, (error) => isAbsentTable(error) || keeperMapDisabled(error))
    } catch (error) {
      if (isAbsentTable(error)) return undefined
      throw this.explained(error)
    }
    const row = rows[0]
    if (row === undefined) return undefined
    return { version: row.version, record: this.parse(row.record) }
  }

  async create(record: LeaseRecord): Promise<boolean> {
    await this.ensureTable()
    const created = await this.conflictIsFalse('taking the state\'s lease', `INSERT INTO ${this.names.lease} (plan, version, record) SELECT {plan:String}, {version:String}, {record:String}`, {
      plan: this.plan,
      version: randomUUID(),
      record: JSON.stringify(record),
    })
    if (created && this.spec.embedded) noteProcessLeaseHolder(this.processKey, record)
    return created
  }

  async replace(version: string, record: LeaseRecord): Promise<boolean> {
    const next = randomUUID()
    const done = await this.conflictIsFalse(
      'renewing the state\'s lease',
      `ALTER TABLE ${this.names.lease} UPDATE version = {next:String}, record = {record:String} WHERE plan = {plan:String} AND version = {version:String}`,
      { plan: this.plan, version, next, record: JSON.stringify(record) },
    )
    return done && (await this.read())?.version === next
  }

  async remove(version: string): Promise<boolean> {
    const done = await this.conflictIsFalse('removing the state\'s lease', `ALTER TABLE ${this.names.lease} DELETE WHERE plan = {plan:String} AND version = {version:String}`, {
      plan: this.plan,
      version,
    })
    return done && (await this.read())?.version !== version
  }

  /**
   * A condition true only while the lease row is still the one of holder `id` at `epoch`:
   * writes to the state carry it. The embedded engine's lease is asked in this process.
   */
  fence(id: string, epoch: number): LeaseFence {
    if (this.spec.embedded) return processLeaseFence(this.processKey, id, epoch)
    return {
      kind: 'query',
      sql:
        `(SELECT count() FROM ${this.names.lease} WHERE plan = {fence_plan:String} ` +
        "AND JSONExtractString(record, 'id') = {fence_id:String} AND JSONExtractUInt(record, 'epoch') = {fence_epoch:UInt64}) = 1",
      params: { fence_plan: this.plan, fence_id: id, fence_epoch: epoch },
    }
  }

  async close(): Promise<void> {}

  /** Makes the lease table unless it exists: its DDL needs CREATE grants even with IF NOT EXISTS, which a state user need not have once it is made. */
  private async ensureTable(): Promise<void> {
    if (this.created) return
    const sql = await this.sql()
    const found = await sql.rows(`looking for ${this.where}`, 'SELECT 1 FROM system.tables WHERE database = {database:String} AND name = {table:String}', this.names.leaseLocation)
    if (found.length > 0) {
      this.created = true
      return
    }
    for (const statement of leaseTableDdl(this.spec)) {
      await sql.command('creating the state\'s lease table', statement, {}, {}, keeperMapDisabled).catch((error: unknown) => {
        throw this.explained(error)
      })
    }
    this.created = true
  }

  private async conflictIsFalse(action: string, query: string, params: Record<string, unknown>): Promise<boolean> {
    const sql = await this.sql()
    try {
      await sql.command(action, query, params, STRICT, (error) => serverCode(error) === KEEPER_CONFLICT || keeperMapDisabled(error))
      return true
    } catch (error) {
      if (serverCode(error) === KEEPER_CONFLICT) return false
      throw this.explained(error)
    }
  }

  private explained(error: unknown): unknown {
    if (!keeperMapDisabled(error)) return error
    return new UserError(
      `the ClickHouse of state cluster ${this.clusterName} has KeeperMap disabled, which the state's lease (${this.where}) needs: ` +
        'its server config needs <keeper_map_path_prefix>/keeper_map_tables</keeper_map_path_prefix> (and a <zookeeper> or Keeper); ' +
        'or keep the lease in Kubernetes instead: state.lock: { kubernetes: { context: …, namespace: … } }',
    )
  }

  private parse(text: string): LeaseRecord {
    const invalid = (problem: string): UserError =>
      new UserError(
        `the lease of plan ${JSON.stringify(this.plan)} in ${this.where} is not one bf wrote (${problem}); ` +
          `if no bf is running on this plan, remove it with: ALTER TABLE ${this.names.leaseShown} DELETE WHERE plan = '${this.plan.replace(/'/g, "\\'")}'`,
      )
    const value = parseHolderText(text, invalid)
    if (typeof value.expires !== 'string') throw invalid('no "expires"')
    if (Number.isNaN(Date.parse(value.expires))) throw invalid('"expires" is not a time')
    if (typeof value.epoch !== 'number' || !Number.isInteger(value.epoch) || value.epoch < 1) throw invalid('no valid "epoch"')
    if (value.from !== undefined && typeof value.from !== 'string') throw invalid('"from" is not text')
    return value as unknown as LeaseRecord
  }
}

function keeperMapDisabled(error: unknown): boolean {
  const server = asServerError(error)
  const message = server?.message ?? (error instanceof Error ? error.message : '')
  return /keeper_map_path_prefix/.test(message)
}
