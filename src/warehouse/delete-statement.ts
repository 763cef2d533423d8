import { UserError } from '../errors.js'
import type { SettingValue, Window } from '../plan/model.js'
import { quoteIdentifier, quoteTable } from './identifiers.js'
import { windowSeconds } from './sql-values.js'
import type { DeleteRequest, Statement } from './warehouse.js'

/** Who a delete names in messages: `customer "x"`, or `3 customers`. */
export function deleteWhose(request: Pick<DeleteRequest, 'customer'>): string {
  return typeof request.customer === 'string' ? `customer ${JSON.stringify(request.customer)}` : `${request.customer.length} customers`
}

/**
 * Tags travel as a bound String and come back inside `system.mutations.command` as a quoted
 * literal. Restricting them to characters ClickHouse never escapes keeps that rendering
 * exactly `'<tag>'` on every server version.
 */
const MUTATION_TAG = /^[A-Za-z0-9_.:/@+-]{1,128}$/

export function assertMutationTag(tag: string): void {
  if (!MUTATION_TAG.test(tag)) {
    throw new Error(`mutation tag ${JSON.stringify(tag)} must match ${MUTATION_TAG.source}`)
  }
}

/** The tag as `system.mutations.command` shows it, e.g. `'bf:abc'` in `… AND ('bf:abc' != '')`. */
export function renderedTagLiteral(tag: string): string {
  assertMutationTag(tag)
  return `'${tag}'`
}

/**
 * Settings bf sends whatever the plan says. bf never waits inside the statement: a
 * synchronous mutation under `ON CLUSTER` blocks every host's DDL queue, and the
 * await-mutation step (with its own timeout) polls instead. With `ON CLUSTER` the answer
 * is read as per-host status rows, which needs the whole answer buffered
 * (`wait_end_of_query`) in a known format.
 */
function forcedSettings(request: DeleteRequest): Record<string, SettingValue> {
  const forced: Record<string, SettingValue> = request.mode === 'mutation' ? { mutations_sync: 0 } : { lightweight_deletes_sync: 0 }
  if (request.onCluster !== undefined) {
    forced.wait_end_of_query = 1
    forced.default_format = 'JSONEachRow'
  }
  return forced
}

function checkedSettings(settings: Record<string, SettingValue>): Record<string, SettingValue> {
  for (const name of Object.keys(settings)) quoteIdentifier(name, 'setting name')
  return settings
}

/**
 * The time condition of a delete and its bound values: one range as
 * `t >= {start:DateTime} AND t < {end:DateTime}`, several as the same pairs numbered and
 * `OR`ed in one parenthesised condition, so one mutation (one rewrite of each part)
 * removes them all.
 */
function rangesCondition(request: DeleteRequest, timeColumn: string): { sql: string; params: Record<string, number> } {
  const what = `delete window of ${deleteWhose(request)}`
  if (request.ranges.length === 0) throw new Error(`${what}: no range to delete`)
  if (request.ranges.length === 1) {
    const { start, end } = windowSeconds(request.ranges[0] as Window, what)
    return { sql: `${timeColumn} >= {start:DateTime} AND ${timeColumn} < {end:DateTime}`, params: { start, end } }
  }
  const params: Record<string, number> = {}
  const terms = request.ranges.map((range, index) => {
    const { start, end } = windowSeconds(range, what)
    params[`start_${index}`] = start
    params[`end_${index}`] = end
    return `${timeColumn} >= {start_${index}:DateTime} AND ${timeColumn} < {end_${index}:DateTime}`
  })
  return { sql: `(${terms.join(' OR ')})`, params }
}

/**
 * The delete of one customer's ranges (or several customers' same ranges), bounded by customer and time, with every value bound:
 * `ALTER TABLE db.t [ON CLUSTER c] DELETE WHERE …` (mutation) or `DELETE FROM db.t [ON CLUSTER c] WHERE …`
 * (lightweight). The always-true `{tag:String} != ''` makes the mutation findable by its
 * command text on every replica, where mutation ids differ.
 */
export function buildDeleteStatement(request: DeleteRequest): Statement {
  const customers = typeof request.customer === 'string' ? [request.customer] : request.customer
  if (customers.length === 0 || customers.includes('')) throw new UserError('bf refuses a delete without a customer: the customer id is empty')
  assertMutationTag(request.tag)

  const table = quoteTable({ database: request.target.database, table: request.target.table })
  const onCluster = request.onCluster === undefined ? '' : ` ON CLUSTER ${quoteIdentifier(request.onCluster, 'cluster name')}`
  const customerColumn = quoteIdentifier(request.target.customerColumn, 'customer column')
  const timeColumn = quoteIdentifier(request.target.timeColumn, 'time column')
  const time = rangesCondition(request, timeColumn)
  // Several customers travel as one bound array: the statement's text stays the same size whatever their number.
  const who = typeof request.customer === 'string' ? `${customerColumn} = {customer:String}` : `${customerColumn} IN {customers:Array(String)}`
  const predicate = `${who} AND ${time.sql} AND {tag:String} != ''`
  const sql = request.mode === 'mutation' ? `ALTER TABLE ${table}${onCluster} DELETE WHERE ${predicate}` : `DELETE FROM ${table}${onCluster} WHERE ${predicate}`

  return {
    sql,
    params: { ...(typeof request.customer === 'string' ? { customer: request.customer } : { customers: [...request.customer] }), ...time.params, tag: request.tag },
    settings: { ...checkedSettings(request.settings), ...forcedSettings(request) },
  }
}
