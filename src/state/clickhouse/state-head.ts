import { UserError } from '../../errors.js'
import { FenceRule } from './state-rows.js'
import type { Fence } from './state-rows.js'
import { isAbsentTable } from './state-sql.js'
import type { StateSql } from './state-sql.js'
import type { StateTableNames } from './state-table.js'

/** What the marker rows say of a plan's state: which generation is current, from which serial and lineage, and its fences. */
export interface StateHead {
  /** False when the state table does not exist (yet). */
  exists: boolean
  generation: number
  /** Serial and lineage the current generation starts from (0 and '' for the first one). */
  baseSerial: number
  baseLineage: string
  fences: FenceRule
  /** The highest epoch any take of this plan's lease had: the next take goes above it. */
  maxEpoch: number
  /** The highest generation any marker names. */
  maxGeneration: number
}

interface MarkerRow {
  what: 'take' | 'generation'
  generation: number
  serial: string
  epoch: string
  lineage: string
}

/** Reads the plan's markers: few rows (one per lease take and per replaced state), read before its steps. */
export async function readHead(sql: StateSql, names: StateTableNames, plan: string): Promise<StateHead> {
  let markers: MarkerRow[]
  try {
    markers = await sql.rows<MarkerRow>(
      `reading the state of ${JSON.stringify(plan)} in ${names.shown}`,
      `SELECT what, generation, serial, epoch, lineage FROM ${names.state} WHERE plan = {plan:String} AND is_step = 0 AND what IN ('take', 'generation')`,
      { plan },
      isAbsentTable,
    )
  } catch (error) {
    if (!isAbsentTable(error)) throw error
    return { exists: false, generation: 0, baseSerial: 0, baseLineage: '', fences: new FenceRule([]), maxEpoch: 0, maxGeneration: 0 }
  }
  let current: MarkerRow | undefined
  let maxEpoch = 0
  let maxGeneration = 0
  for (const marker of markers) {
    maxEpoch = Math.max(maxEpoch, Number(marker.epoch))
    maxGeneration = Math.max(maxGeneration, marker.generation)
    if (marker.what === 'generation' && (current === undefined || marker.generation > current.generation)) current = marker
  }
  const generation = current?.generation ?? 0
  const fences: Fence[] = markers.filter((marker) => marker.generation === generation).map((marker) => ({ serial: Number(marker.serial), epoch: Number(marker.epoch) }))
  return {
    exists: true,
    generation,
    baseSerial: current === undefined ? 0 : Number(current.serial),
    baseLineage: current?.lineage ?? '',
    fences: new FenceRule(fences),
    maxEpoch,
    maxGeneration,
  }
}

/** The current generation's size and where it ends, counted on the server without reading its steps. */
export interface StateTally {
  serial: number
  lineage: string
  events: number
  records: number
}

interface TallyRow {
  last_serial: string
  serials: string
  lineages: string[]
  events: string
  records: string
}

export async function readTally(sql: StateSql, names: StateTableNames, plan: string, head: StateHead): Promise<StateTally> {
  if (!head.exists) return { serial: 0, lineage: '', events: 0, records: 0 }
  const fence = head.fences.sql()
  const [row] = await sql.rows<TallyRow>(
    `reading the state of ${JSON.stringify(plan)} in ${names.shown}`,
    `SELECT maxIf(serial, what = 'event') AS last_serial, uniqExactIf(serial, what = 'event') AS serials, groupUniqArray(3)(lineage) AS lineages, ` +
      `countIf(what = 'event') AS events, countIf(what = 'record') AS records FROM ${names.state} ` +
      `WHERE plan = {plan:String} AND is_step = 1 AND generation = {generation:UInt32} AND (what = 'record' OR ${fence.condition})`,
    { plan, generation: head.generation, ...fence.params },
  )
  const events = Number(row?.events ?? 0)
  const serial = Math.max(head.baseSerial, events === 0 ? 0 : Number(row?.last_serial ?? 0))
  const lineage = oneLineage(names, plan, [...(head.baseLineage === '' ? [] : [head.baseLineage]), ...(row?.lineages ?? [])])
  if (events > 0 && Number(row?.serials) !== serial - head.baseSerial) {
    throw new UserError(
      `the state of ${JSON.stringify(plan)} in ${names.shown} misses transitions (serials ${head.baseSerial + 1}..${serial} have ${String(row?.serials)} rows): ` +
        'its rows were deleted or edited by hand; restore the table from a backup',
    )
  }
  return { serial, lineage, events, records: Number(row?.records ?? 0) }
}

/** The one lineage of a state's rows; two mean two states share one plan name. */
export function oneLineage(names: StateTableNames, plan: string, lineages: readonly string[]): string {
  const distinct = [...new Set(lineages)]
  if (distinct.length > 1) {
    throw new UserError(
      `${names.shown} holds two states under the plan name ${JSON.stringify(plan)} (lineages ${distinct.join(', ')}): ` +
        'two plans share that name; rename one of them (name:), or remove the rows of the state that does not belong',
    )
  }
  return distinct[0] ?? ''
}
