import type { TableRef } from '../plan/model.js'
import { tableKey } from './table-rules.js'
import type { TableFacts, TargetDescription, TargetRequest } from './warehouse.js'

/** The tables of a plan by role; `all` is what one table facts query asks for. */
export interface TargetRefs {
  target: TableRef
  readTable: TableRef
  expected?: TableRef
  all: TableRef[]
}

export function targetRefs(request: TargetRequest): TargetRefs {
  const { target, expected } = request
  const refs: TargetRefs = {
    target: { database: target.database, table: target.table },
    readTable: { database: target.database, table: target.readTable },
    all: [],
  }
  if (expected) refs.expected = { database: expected.database, table: expected.table }
  refs.all = [refs.target, refs.readTable, ...(refs.expected ? [refs.expected] : [])]
  return refs
}

/** The facts of one query (by `tableKey`) sorted into the plan's roles. */
export function describeTables(refs: TargetRefs, facts: ReadonlyMap<string, TableFacts>, pendingMutations: number): TargetDescription {
  const description: TargetDescription = { pendingMutations }
  const target = facts.get(tableKey(refs.target))
  const readTable = facts.get(tableKey(refs.readTable))
  const expectedTable = refs.expected ? facts.get(tableKey(refs.expected)) : undefined
  if (target) description.target = target
  if (readTable) description.readTable = readTable
  if (expectedTable) description.expectedTable = expectedTable
  return description
}
