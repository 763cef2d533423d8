import { randomUUID } from 'node:crypto'
import { errorMessage } from '../../common/error-text.js'
import { stepEventProblem } from '../journal.js'
import { GroupCommit } from '../group-commit.js'
import { acquireLease, forceUnlockLease, infoOf, LeaseLostError } from '../leased-lock.js'
import type { HeldLease, LeaseClock } from '../leased-lock.js'
import type { LeaseBackend } from '../lease-backend.js'
import { STATE_FORMAT_VERSION } from '../model.js'
import type { StateSnapshot, StepEvent, StepRecord } from '../model.js'
import { recordReader } from '../snapshot-read.js'
import { StateOrderError } from '../state-order-error.js'
import type { AppendOptions, HeldLock, LockInfo, LockOptions, PauseInfo, StateByCustomer, StateStore, StepGroup } from '../store.js'
import { PauseRows } from './pause-rows.js'
import { oneLineage, readHead, readTally } from './state-head.js'
import type { StateHead } from './state-head.js'
import type { LeaseFence } from './lease-fence.js'
import { eventRow, markerRow, recordRow } from './state-rows.js'
import type { StateRow, WriterPosition } from './state-rows.js'
import { serverCode } from './state-sql.js'
import type { StateSql } from './state-sql.js'
import { groupRanges, pagedStepRows, STEP_ROW_LINE, streamedStepRows } from './step-pages.js'
import { foldGroups } from './state-stream.js'
import type { FoldTally } from './state-stream.js'
import { checkStateTableShape, stateTableDdl, tableNames, WRITTEN_COLUMN_LIST, WRITTEN_COLUMNS, WRITTEN_STRUCTURE } from './state-table.js'
import type { StateTableNames, StateTableSpec } from './state-table.js'

/** A lease backend that can also make the state's writes conditional on the lease (KeeperMap can, in the same query). */
export interface FencingLeaseBackend extends LeaseBackend {
  fence?(id: string, epoch: number): LeaseFence
}

export interface ClickHouseStateStoreOptions {
  plan: string
  /** How `bf unlock` hints name the plan (the plan file as the user gave it). */
  planRef: string
  table: StateTableSpec
  /** Opens the state cluster's client, once, on first use. */
  openSql: () => Promise<StateSql>
  /** Where the lease lives, given the state's client. */
  lease: (sql: () => Promise<StateSql>) => FencingLeaseBackend
  leaseMs: number
  clock?: LeaseClock
  env?: NodeJS.ProcessEnv
  /** `compact()` folds the state once its generation has at least this many transition rows, and more than steps. */
  foldAtEvents?: number
  /** About how many rows each query of a state read returns (see `step-pages.ts`). */
  pageRows?: number
}

/** Rows per INSERT when a whole state is written (`replace`, `compact`). */
const ROWS_PER_INSERT = 20_000
/**
 * Most bytes of rows in one lease-checked INSERT: its rows travel as a query parameter,
 * and a server takes at most `http_max_field_value_size` (128 KiB by default) for one.
 */
const FENCED_INSERT_BYTES = 96 * 1024
const DEFAULT_FOLD_AT_EVENTS = 1_000
/** Rows per query of a state read on the embedded engine (whole groups: see `step-pages.ts`): a few MB, enough that a query's own cost is small beside its rows'. */
const PAGE_ROWS = 5_000
/** Rows per query of a state read from a server, whose result streams: bounds what the server sorts at once, not what bf holds. */
const STREAMED_RANGE_ROWS = 50_000
/** 395 FUNCTION_THROW_IF_VALUE_IS_NON_ZERO: the lease check of a write failed. */
const FENCED = 395

/**
 * A plan's state as rows of a ClickHouse table shared by any number of plans, every query
 * bounded to this plan's rows. A transition is one row, so a torn write cannot corrupt the
 * state; transitions that arrive while an INSERT is under way go together in the next one
 * (group commit). `replace` and `compact` write a new generation of the plan's rows, made
 * visible at once by a marker row written last. Writes need the plan's lease and carry its
 * epoch; see `state-rows.ts` for the fencing rule, `pause-rows.ts` for pauses.
 */
export class ClickHouseStateStore implements StateStore {
  readonly warnings: string[] = []
  private readonly names: StateTableNames
  private readonly lease: FencingLeaseBackend
  private readonly pauses: PauseRows
  private opened?: Promise<StateSql>
  private tableChecked?: Promise<boolean>
  private tableMade?: Promise<void>
  private held?: HeldLease
  private newLineage?: string
  /** Where the next write goes on from; undefined when it must be read again (after a failed write). */
  private position?: WriterPosition
  private queue: Promise<unknown> = Promise.resolve()
  /** Transitions appended while an INSERT was under way go in the next one together. */
  private readonly commits = new GroupCommit(
    (write) => void this.serialized(write),
    (events) => this.writeEvents(events),
  )

  constructor(private readonly options: ClickHouseStateStoreOptions) {
    this.names = tableNames(options.table)
    this.lease = options.lease(() => this.sql())
    this.pauses = new PauseRows(() => this.sql(), this.names, options.plan, () => this.ensureTable())
  }

  async read(): Promise<StateSnapshot> {
    const snapshot = this.held ? await this.serialized(() => this.loadUnderLock()) : await this.load()
    this.warnings.splice(0, this.warnings.length)
    return snapshot
  }

  async readByCustomer(): Promise<StateByCustomer> {
    this.warnings.splice(0, this.warnings.length)
    if (!(await this.tableExists())) return { lineage: '', serial: 0, warnings: [], groups: () => [] }
    const sql = await this.sql()
    const head = await readHead(sql, this.names, this.options.plan)
    const tally = await readTally(sql, this.names, this.options.plan, head)
    return { lineage: tally.lineage, serial: tally.serial, warnings: [], groups: () => this.streamGroups(head, { serial: 0, events: 0, lineages: new Set() }, false) }
  }

  async append(event: StepEvent, options: AppendOptions = {}): Promise<number> {
    this.requireLock('append')
    const problem = stepEventProblem(event)
    if (problem) throw new Error(`cannot record this event for ${JSON.stringify(event.address)}: ${problem}`)
    return this.commits.add(event, options.deferred === true)
  }

  async compact(): Promise<void> {
    this.requireLock('compact')
    await this.serialized(async () => {
      const at = await this.writerPosition()
      const sql = await this.sql()
      const tally = await readTally(sql, this.names, this.options.plan, await readHead(sql, this.names, this.options.plan))
      const foldAt = this.options.foldAtEvents ?? DEFAULT_FOLD_AT_EVENTS
      if (tally.events === 0 || tally.events < foldAt || tally.events < tally.records) return
      const snapshot = await this.load()
      await this.replaceNow({ ...snapshot, lineage: snapshot.lineage || at.lineage })
    })
  }

  async replace(snapshot: StateSnapshot): Promise<void> {
    this.requireLock('replace')
    await this.serialized(() => this.replaceNow(snapshot))
  }

  async lock(options: LockOptions): Promise<HeldLock> {
    if (this.held) throw new Error(`this store already holds the lease of ${this.options.plan}`)
    await this.ensureTable()
    const head = await readHead(await this.sql(), this.names, this.options.plan)
    const held = await acquireLease(this.lease, {
      ...options,
      leaseMs: this.options.leaseMs,
      unlockCommand: `bf unlock ${this.options.planRef}`,
      minEpoch: head.maxEpoch + 1,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
    })
    this.held = held
    this.newLineage = randomUUID()
    this.position = undefined
    try {
      // The take is recorded before anything else: from here on, rows of earlier holders with a later serial do not count.
      await this.serialized(async () => {
        const at = await this.writerPosition()
        await this.insertRows([markerRow(this.options.plan, 'take', at)])
      })
    } catch (error) {
      await this.release(held)
      throw error
    }
    return { info: held.info, lost: held.lost, release: () => this.release(held) }
  }

  async lockHolder(): Promise<LockInfo | undefined> {
    const stored = await this.lease.read()
    return stored && infoOf(stored.record)
  }

  forceUnlock(id: string): Promise<LockInfo> {
    return forceUnlockLease(this.lease, id)
  }

  pause(info: PauseInfo): Promise<void> {
    return this.pauses.pause(info)
  }

  resume(): Promise<PauseInfo | undefined> {
    return this.pauses.resume()
  }

  pauseInfo(): Promise<PauseInfo | undefined> {
    return this.pauses.pauseInfo()
  }

  async close(): Promise<void> {
    if (this.held) await this.release(this.held)
    else await this.queue
    await this.lease.close()
    const opened = this.opened
    this.opened = undefined
    if (opened) await (await opened.catch(() => undefined))?.close()
  }

  private async release(held: HeldLease): Promise<void> {
    if (this.held !== held) return
    await this.commits.flush()
    await this.queue
    this.held = undefined
    this.position = undefined
    this.newLineage = undefined
    await held.release()
  }

  private sql(): Promise<StateSql> {
    this.opened ??= this.options.openSql()
    return this.opened
  }

  /** Whether the state table exists, refusing one of another shape; reads never create it. */
  private tableExists(): Promise<boolean> {
    this.tableChecked ??= this.sql().then((sql) => checkStateTableShape(sql, this.options.table))
    this.tableChecked.catch(() => (this.tableChecked = undefined))
    return this.tableChecked
  }

  private ensureTable(): Promise<void> {
    this.tableMade ??= (async () => {
      if (await this.tableExists()) return
      const sql = await this.sql()
      for (const statement of stateTableDdl(this.options.table)) await sql.command(`creating the state table ${this.names.shown}`, statement)
      this.tableChecked = undefined
      await this.tableExists()
    })()
    this.tableMade.catch(() => (this.tableMade = undefined))
    return this.tableMade
  }

  private async load(): Promise<StateSnapshot> {
    const empty: StateSnapshot = { formatVersion: STATE_FORMAT_VERSION, lineage: '', serial: 0, plan: this.options.plan, steps: new Map() }
    if (!(await this.tableExists())) return empty
    const sql = await this.sql()
    for (let attempt = 1; ; attempt++) {
      const head = await readHead(sql, this.names, this.options.plan)
      const tally: FoldTally = { serial: head.baseSerial, events: 0, lineages: new Set(head.baseLineage === '' ? [] : [head.baseLineage]) }
      const steps = new Map<string, StepRecord>()
      try {
        for await (const group of this.streamGroups(head, tally, true)) for (const [address, record] of group.steps) steps.set(address, record)
      } catch (error) {
        // A generation replaced (and its rows removed) while it was read: read the new one.
        if (error instanceof StateOrderError && attempt < 3) continue
        throw error
      }
      const lineage = oneLineage(this.names, this.options.plan, [...tally.lineages])
      return { ...empty, lineage, serial: tally.serial, steps }
    }
  }

  private async loadUnderLock(): Promise<StateSnapshot> {
    const snapshot = await this.load()
    if (snapshot.lineage === '' && this.newLineage) snapshot.lineage = this.newLineage
    if (this.held) this.position = { generation: (await readHead(await this.sql(), this.names, this.options.plan)).generation, lineage: snapshot.lineage, serial: snapshot.serial, epoch: this.held.epoch }
    return snapshot
  }

  private async *streamGroups(head: StateHead, tally: FoldTally, whole: boolean): AsyncGenerator<StepGroup> {
    if (!head.exists) return
    const sql = await this.sql()
    const action = `reading the state of ${JSON.stringify(this.options.plan)} in ${this.names.shown}`
    const rowsOf = `FROM ${this.names.state} WHERE plan = {plan:String} AND is_step = 1 AND generation = {generation:UInt32}`
    const params = { plan: this.options.plan, generation: head.generation }
    const groups = await sql.rows<{ key: string; rows: string }>(action, `SELECT group_key AS key, count() AS rows ${rowsOf} GROUP BY group_key ORDER BY group_key`, params)
    const embedded = this.options.table.embedded
    const ranges = groupRanges(
      groups.map((group) => ({ key: group.key, rows: Number(group.rows) })),
      this.options.pageRows ?? (embedded ? PAGE_ROWS : STREAMED_RANGE_ROWS),
    )
    const query = `SELECT ${STEP_ROW_LINE} ${rowsOf} AND group_key >= {first:String} AND group_key <= {last:String} ORDER BY group_key, address, serial`
    // The embedded engine hands a result over whole: pages, the next asked for ahead. A server's streams.
    const rows = embedded
      ? pagedStepRows(ranges, (range) => sql.lines(action, query, { ...params, ...range }), this.names.shown)
      : streamedStepRows(ranges, (range) => sql.lineBatches(action, query, { ...params, ...range }), this.names.shown)
    // A state read whole shares the parts its records repeat; one read a customer at a time lets them go.
    yield* foldGroups(rows, head.fences, tally, this.names.shown, recordReader({ shareValues: whole }))
    const now = await readHead(sql, this.names, this.options.plan)
    if (now.generation !== head.generation) throw new StateOrderError('the state was replaced while it was read')
    if (whole && tally.events !== tally.serial - head.baseSerial) {
      throw new StateOrderError(`transitions ${head.baseSerial + 1}..${tally.serial} are not all there (${tally.events} rows)`)
    }
  }

  /** Group commit: every waiting transition in one INSERT, each answered with its serial once the server has it. */
  private async writeEvents(events: StepEvent[]): Promise<number[]> {
    const at = await this.writerPosition()
    const rows = events.map((event, index) => eventRow(this.options.plan, at, at.serial + index + 1, event))
    try {
      await this.insertRows(rows)
    } catch (error) {
      // The rows may have been written all the same: the next write reads where the state stands.
      this.position = undefined
      throw error
    }
    const first = at.serial + 1
    at.serial += events.length
    return events.map((_event, index) => first + index)
  }

  private async replaceNow(snapshot: StateSnapshot): Promise<void> {
    const held = this.requireLock('replace')
    const sql = await this.sql()
    const [top] = await sql.rows<{ generation: number }>(
      `reading the state of ${JSON.stringify(this.options.plan)} in ${this.names.shown}`,
      `SELECT max(generation) AS generation FROM ${this.names.state} WHERE plan = {plan:String}`,
      { plan: this.options.plan },
    )
    const at: WriterPosition = { generation: Number(top?.generation ?? 0) + 1, lineage: snapshot.lineage, serial: snapshot.serial, epoch: held.epoch }
    this.position = undefined
    // The new generation's rows count for no reader until its marker is there: they need no lease check of their own.
    let rows: StateRow[] = []
    const action = this.writingAction()
    for (const record of snapshot.steps.values()) {
      rows.push(recordRow(this.options.plan, at, record))
      if (rows.length === ROWS_PER_INSERT) {
        await sql.insert(action, this.names.state, WRITTEN_COLUMN_LIST, rows)
        rows = []
      }
    }
    if (rows.length > 0) await sql.insert(action, this.names.state, WRITTEN_COLUMN_LIST, rows)
    // Written last, under the lease: until it is there, readers keep reading the previous generation.
    await this.insertRows([markerRow(this.options.plan, 'generation', at)])
    this.position = at
    try {
      await sql.command(
        `removing the replaced rows of ${JSON.stringify(this.options.plan)} from ${this.names.shown}`,
        `ALTER TABLE ${this.names.state} DELETE WHERE plan = {plan:String} AND is_step = 1 AND generation < {generation:UInt32}`,
        { plan: this.options.plan, generation: at.generation },
      )
    } catch (error) {
      this.warnings.push(`the replaced rows of the state stay in ${this.names.shown} until a later compaction: ${errorMessage(error)}`)
    }
  }

  private async writerPosition(): Promise<WriterPosition> {
    const held = this.requireLock('write')
    if (this.position) return this.position
    const sql = await this.sql()
    const head = await readHead(sql, this.names, this.options.plan)
    const tally = await readTally(sql, this.names, this.options.plan, head)
    this.position = { generation: head.generation, lineage: tally.lineage || (this.newLineage ?? randomUUID()), serial: tally.serial, epoch: held.epoch }
    return this.position
  }

  /**
   * Writes `rows` in order, refused unless the lease is still this holder's where the lease
   * backend can say so: by the server, in each INSERT, or in this process, right before it.
   */
  private async insertRows(rows: StateRow[]): Promise<void> {
    const held = this.liveLease()
    const fence = this.lease.fence?.(held.info.id, held.epoch)
    if (fence?.kind === 'query') {
      let chunk: string[] = []
      let bytes = 0
      for (const row of rows) {
        const text = JSON.stringify(row)
        if (chunk.length > 0 && bytes + text.length > FENCED_INSERT_BYTES) {
          await this.insertFenced(chunk, fence)
          this.liveLease()
          chunk = []
          bytes = 0
        }
        chunk.push(text)
        bytes += text.length + 1
      }
      if (chunk.length > 0) await this.insertFenced(chunk, fence)
      return
    }
    if (fence && !fence.holds()) throw this.fencedError()
    const sql = await this.sql()
    await sql.insert(this.writingAction(), this.names.state, WRITTEN_COLUMN_LIST, rows)
  }

  /** The lease this process holds, for a write; throws when this process already knows it is lost. */
  private liveLease(): HeldLease {
    const held = this.requireLock('write')
    if (held.lost.aborted) throw held.lost.reason instanceof Error ? held.lost.reason : new LeaseLostError(`lost the state's lease of ${this.options.plan}`)
    return held
  }

  private async insertFenced(rows: string[], fence: Extract<LeaseFence, { kind: 'query' }>): Promise<void> {
    const sql = await this.sql()
    const where = ` WHERE throwIf(NOT ${fence.sql}, 'bf: the state lease is no longer held by this process') = 0`
    await sql
      .insertSelect(
        this.writingAction(),
        `INSERT INTO ${this.names.state} (${WRITTEN_COLUMNS}) SELECT ${WRITTEN_COLUMNS} FROM format(JSONEachRow, '${WRITTEN_STRUCTURE}', {rows:String})${where}`,
        { rows: rows.join('\n'), ...fence.params },
        (error) => serverCode(error) === FENCED,
      )
      .catch((error: unknown) => {
        throw serverCode(error) === FENCED ? this.fencedError() : error
      })
  }

  private fencedError(): LeaseLostError {
    return new LeaseLostError(
      `the state's lease of ${JSON.stringify(this.options.plan)} in ${this.lease.where} is no longer this process's (it expired and was taken over, or was removed): ` +
        'bf writes nothing more to the state; the next bf apply reconciles the steps that were running',
    )
  }

  private writingAction(): string {
    return `writing the state of ${JSON.stringify(this.options.plan)} to ${this.names.shown}`
  }

  private requireLock(operation: string): HeldLease {
    if (!this.held) throw new Error(`${operation} needs the state lock of ${this.options.plan} in ${this.names.shown}: call lock() first`)
    return this.held
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work)
    this.queue = result.catch(() => undefined)
    return result
  }
}
