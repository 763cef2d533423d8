import { Semaphore } from 'async-mutex'
import type { BatchGrid, ExpectedSpec, TargetSpec } from '../plan/model.js'
import type { UnitFigures, UnitWindow, Warehouse } from '../warehouse/warehouse.js'

/**
 * Most units one grouped figures query covers. A group costs about what one customer's
 * own checks cost; a cap keeps a large customer-day from making one query heavy.
 */
export const VERIFY_GROUP_CAP = 50

/** Grouped queries of one cluster under way at once. */
export const VERIFY_GROUPS_IN_FLIGHT = 2

/** The longest a unit waits for others to fill its group while the rest of the apply goes on. */
export const VERIFY_MAX_WAIT_MS = 30_000

/** The tables every unit of a batcher is counted in. */
export interface VerifyTables {
  target: TargetSpec
  expected?: ExpectedSpec
  grid: BatchGrid
}

export interface VerifyBatcherOptions {
  /** Most units per query (default `VERIFY_GROUP_CAP`). */
  cap?: number
  /** Default `VERIFY_MAX_WAIT_MS`. */
  maxWaitMs?: number
  /**
   * True when nothing else is under way that could make more units ready: waiting then
   * only delays (the canary gate, a batch's next delete, the end of the apply).
   */
  idle(): boolean
  /** Custom checks of this cluster run at once (they cannot be grouped). */
  checks: number
}

interface Waiting {
  unit: UnitWindow
  resolve(figures: UnitFigures): void
  reject(error: unknown): void
}

/** `items` cut into runs of at most `size`, in order. */
export function groupsOf<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = []
  for (let at = 0; at < items.length; at += size) groups.push(items.slice(at, at + size))
  return groups
}

/**
 * The verify steps of one cluster share their figures queries. A unit waits with the others
 * ready before it, and one query answers up to `cap` of them (`Warehouse.unitFigures`):
 * when `cap` are waiting, when the apply has nothing else under way (nothing more can come,
 * or something waits on them), or after `maxWaitMs`. Each unit still gets its own figures,
 * and a failed query fails only the units it was asked for.
 */
export class VerifyBatcher {
  readonly #warehouse: Pick<Warehouse, 'unitFigures'>
  readonly #tables: VerifyTables
  readonly #cap: number
  readonly #maxWaitMs: number
  readonly #idle: () => boolean
  readonly #checks: Semaphore
  #waiting: Waiting[] = []
  #inFlight = 0
  /** Everything waiting goes out as soon as queries may: set by `flush`, cleared once nothing waits. */
  #flushing = false
  #timer: NodeJS.Timeout | undefined

  constructor(warehouse: Pick<Warehouse, 'unitFigures'>, tables: VerifyTables, options: VerifyBatcherOptions) {
    this.#warehouse = warehouse
    this.#tables = tables
    this.#cap = Math.max(1, options.cap ?? VERIFY_GROUP_CAP)
    this.#maxWaitMs = options.maxWaitMs ?? VERIFY_MAX_WAIT_MS
    this.#idle = options.idle
    this.#checks = new Semaphore(Math.max(1, options.checks))
  }

  /** The figures of `unit`, from the grouped query that answers it. */
  figures(unit: UnitWindow): Promise<UnitFigures> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ unit, resolve, reject })
      if (!this.#timer) {
        // Never what keeps the process up: whatever is under way does, and idle flushes.
        this.#timer = setTimeout(() => this.flush(), this.#maxWaitMs)
        this.#timer.unref()
      }
      this.#send()
      // After the steps this one's end started have begun: only then does idle mean idle.
      setImmediate(() => {
        if (this.#idle()) this.flush()
      })
    })
  }

  /** Sends everything waiting, in groups of at most `cap`. */
  flush(): void {
    if (this.#waiting.length === 0) return
    this.#flushing = true
    this.#send()
  }

  /** Runs one unit's custom checks, a bounded number at a time. */
  checks<T>(run: () => Promise<T>): Promise<T> {
    return this.#checks.runExclusive(run)
  }

  #send(): void {
    while (this.#inFlight < VERIFY_GROUPS_IN_FLIGHT && (this.#waiting.length >= this.#cap || (this.#flushing && this.#waiting.length > 0))) {
      const group = this.#waiting.splice(0, this.#cap)
      if (this.#waiting.length === 0) this.#settled()
      void this.#ask(group)
    }
  }

  /** Nothing waits any more: no flush or timer is left for it. */
  #settled(): void {
    this.#flushing = false
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #ask(group: Waiting[]): Promise<void> {
    this.#inFlight++
    try {
      const figures = await this.#warehouse.unitFigures({ ...this.#tables, units: group.map((waiting) => waiting.unit) })
      group.forEach((waiting, at) => waiting.resolve(figures[at]!))
    } catch (error) {
      for (const waiting of group) waiting.reject(error)
    } finally {
      this.#inFlight--
      this.#send()
    }
  }
}
