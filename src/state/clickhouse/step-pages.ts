import { UserError } from '../../errors.js'
import type { StepRow } from './state-stream.js'

/**
 * A step row as one line: its fields as a JSON array (strings quoted by the server, so any
 * character comes back as written), a tab, then its body as written, which bf writes as one
 * line of JSON. A body of several lines (edited by hand) comes empty, for the reader to refuse.
 */
export const STEP_ROW_LINE =
  "concat('[', toJSONString(group_key), ',', toJSONString(address), ',', toString(serial), ',', toString(epoch), ',', " +
  "toJSONString(what), ',', toJSONString(lineage), ']\t', if(position(body, '\\n') = 0, body, ''))"

/** A group and how many step rows it has. */
export interface GroupSize {
  key: string
  rows: number
}

/** Consecutive groups read in one query: from `first` to `last`, both included. */
export interface GroupRange {
  first: string
  last: string
}

/**
 * The groups, in order, cut into ranges of about `pageRows` rows each (a larger group is a
 * range of its own): each range is one query that reads only its part of the table's sort
 * key, so neither bf nor the server holds more than a page of the state, over HTTP or on
 * the embedded engine, whose results come back whole.
 */
export function groupRanges(groups: readonly GroupSize[], pageRows: number): GroupRange[] {
  const ranges: GroupRange[] = []
  let current: GroupRange | undefined
  let rows = 0
  for (const group of groups) {
    if (current && rows + group.rows > pageRows) {
      ranges.push(current)
      current = undefined
    }
    if (!current) {
      current = { first: group.key, last: group.key }
      rows = 0
    }
    current.last = group.key
    rows += group.rows
  }
  if (current) ranges.push(current)
  return ranges
}

/**
 * Step rows, sorted by group, address and serial, a range of groups at a time. The next
 * range is asked for before this one's rows are handed out, so that the server (or the
 * embedded engine, in its own thread) makes it while bf reads these: two pages at most.
 */
export async function* pagedStepRows(ranges: readonly GroupRange[], read: (range: GroupRange) => Promise<string[]>, where: string): AsyncGenerator<StepRow> {
  let next = ranges.length > 0 ? read(ranges[0] as GroupRange) : undefined
  try {
    for (let index = 0; next; index++) {
      const lines = await next
      next = index + 1 < ranges.length ? read(ranges[index + 1] as GroupRange) : undefined
      for (const line of lines) yield parseRow(line, where)
    }
  } finally {
    // A read left early (an error, a consumer that stopped) lets the page asked for ahead fail unheard.
    next?.catch(() => undefined)
  }
}

/**
 * Step rows, sorted as above, a range of groups at a time, each row handed on as the
 * server sends it: over HTTP a result streams, so bf holds a few batches of rows whatever
 * the range, and the server makes the next ones while bf folds these.
 */
export async function* streamedStepRows(ranges: readonly GroupRange[], read: (range: GroupRange) => AsyncIterable<string[]>, where: string): AsyncGenerator<StepRow> {
  for (const range of ranges) for await (const lines of read(range)) for (const line of lines) yield parseRow(line, where)
}

/** A row from its line (see `STEP_ROW_LINE`); its body is parsed by the fold, which knows what it holds. */
export function parseRow(line: string, where: string): StepRow {
  const tab = line.indexOf('\t')
  let fields: unknown
  try {
    fields = tab === -1 ? undefined : JSON.parse(line.slice(0, tab))
  } catch {
    fields = undefined
  }
  if (!Array.isArray(fields) || fields.length !== 6) throw new UserError(`${where}: a row that is not a step row; restore the table from a backup`)
  const [groupKey, address, serial, epoch, what, lineage] = fields as [string, string, number, number, StepRow['what'], string]
  return { group_key: groupKey, address, serial, epoch, what, lineage, body: line.slice(tab + 1) }
}
