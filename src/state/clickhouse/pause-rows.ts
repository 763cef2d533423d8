import { randomUUID } from 'node:crypto'
import type { PauseInfo } from '../store.js'
import { isAbsentTable } from './state-sql.js'
import type { StateSql } from './state-sql.js'
import type { StateTableNames } from './state-table.js'

interface PauseRow {
  what: 'pause' | 'resume'
  address: string
  body: string
}

/**
 * Pauses as rows of the state table, needing no lock: a `pause` row (its address a new id),
 * and a `resume` row naming the pause it ends. Rows are ordered by their block number, which
 * the server hands out in the order inserts commit: the pause in force is the last one no
 * resume names, and of two resumes of one pause the first committed is the one that did it.
 */
export class PauseRows {
  constructor(
    private readonly sql: () => Promise<StateSql>,
    private readonly names: StateTableNames,
    private readonly plan: string,
    private readonly ensureTable: () => Promise<void>,
  ) {}

  async pause(info: PauseInfo): Promise<void> {
    await this.ensureTable()
    await this.insert('pause', randomUUID(), JSON.stringify(info))
  }

  async resume(): Promise<PauseInfo | undefined> {
    const inForce = await this.inForce()
    if (!inForce) return undefined
    const token = randomUUID()
    await this.insert('resume', inForce.id, token)
    const resumes = (await this.rows()).filter((row) => row.what === 'resume' && row.address === inForce.id)
    return resumes[0]?.body === token ? inForce.info : undefined
  }

  async pauseInfo(): Promise<PauseInfo | undefined> {
    return (await this.inForce())?.info
  }

  private async inForce(): Promise<{ id: string; info: PauseInfo } | undefined> {
    const rows = await this.rows()
    const resumed = new Set(rows.filter((row) => row.what === 'resume').map((row) => row.address))
    const last = rows.filter((row) => row.what === 'pause').at(-1)
    if (!last || resumed.has(last.address)) return undefined
    return { id: last.address, info: JSON.parse(last.body) as PauseInfo }
  }

  private async rows(): Promise<PauseRow[]> {
    const sql = await this.sql()
    try {
      return await sql.rows<PauseRow>(
        `reading the pause of ${JSON.stringify(this.plan)} in ${this.names.shown}`,
        `SELECT what, address, body FROM ${this.names.state} WHERE plan = {plan:String} AND is_step = 0 AND what IN ('pause', 'resume') ORDER BY _block_number`,
        { plan: this.plan },
        isAbsentTable,
      )
    } catch (error) {
      if (isAbsentTable(error)) return []
      throw error
    }
  }

  private async insert(what: 'pause' | 'resume', address: string, body: string): Promise<void> {
    const sql = await this.sql()
    await sql.command(
      `recording a ${what} of ${JSON.stringify(this.plan)} in ${this.names.shown}`,
      `INSERT INTO ${this.names.state} (plan, is_step, generation, group_key, address, serial, epoch, what, lineage, body) ` +
        "SELECT {plan:String}, 0, 0, '', {address:String}, 0, 0, {what:String}, '', {body:String}",
      { plan: this.plan, address, what, body },
    )
  }
}
