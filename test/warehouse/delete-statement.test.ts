import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { buildDeleteStatement, renderedTagLiteral } from '../../src/warehouse/delete-statement.js'
import { deleteRequest, JAN_1 } from './fixtures.js'

const WHERE =
  "`customer_id` = {customer:String} AND `conversation_end_time` >= {start:DateTime} AND `conversation_end_time` < {end:DateTime} AND {tag:String} != ''"
const PARAMS = { customer: 'alaska-air', start: 1767225600, end: 1771459200, tag: 'bf:relabel-2026:0f3a9c' }

describe('buildDeleteStatement', () => {
  it('mutation without ON CLUSTER', () => {
    expect(buildDeleteStatement(deleteRequest())).toEqual({
      sql: `ALTER TABLE \`analytics\`.\`conversation_with_labels\` DELETE WHERE ${WHERE}`,
      params: PARAMS,
      settings: { mutations_sync: 0 },
    })
  })

  it('mutation with ON CLUSTER reads per-host status rows', () => {
    expect(buildDeleteStatement(deleteRequest({ onCluster: 'conversations' }))).toEqual({
      sql: `ALTER TABLE \`analytics\`.\`conversation_with_labels\` ON CLUSTER \`conversations\` DELETE WHERE ${WHERE}`,
      params: PARAMS,
      settings: { mutations_sync: 0, wait_end_of_query: 1, default_format: 'JSONEachRow' },
    })
  })

  it('lightweight without ON CLUSTER', () => {
    expect(buildDeleteStatement(deleteRequest({ mode: 'lightweight' }))).toEqual({
      sql: `DELETE FROM \`analytics\`.\`conversation_with_labels\` WHERE ${WHERE}`,
      params: PARAMS,
      settings: { lightweight_deletes_sync: 0 },
    })
  })

  it('lightweight with ON CLUSTER', () => {
    expect(buildDeleteStatement(deleteRequest({ mode: 'lightweight', onCluster: 'conversations' }))).toEqual({
      sql: `DELETE FROM \`analytics\`.\`conversation_with_labels\` ON CLUSTER \`conversations\` WHERE ${WHERE}`,
      params: PARAMS,
      settings: { lightweight_deletes_sync: 0, wait_end_of_query: 1, default_format: 'JSONEachRow' },
    })
  })

  it('keeps an adversarial customer id out of the SQL text, as a bound value', () => {
    const statement = buildDeleteStatement(deleteRequest({ customer: "a' OR '1'='1" }))
    expect(statement.sql).toBe(`ALTER TABLE \`analytics\`.\`conversation_with_labels\` DELETE WHERE ${WHERE}`)
    expect(statement.params.customer).toBe("a' OR '1'='1")
    expect(statement.sql).not.toContain('OR')
  })

  it("sends the plan's delete settings, but bf's no-wait settings win", () => {
    const statement = buildDeleteStatement(
      deleteRequest({ onCluster: 'conversations', settings: { replication_wait_for_inactive_replica_timeout: 0, mutations_sync: 2, wait_end_of_query: 0 } }),
    )
    expect(statement.settings).toEqual({
      replication_wait_for_inactive_replica_timeout: 0,
      mutations_sync: 0,
      wait_end_of_query: 1,
      default_format: 'JSONEachRow',
    })
    const lightweight = buildDeleteStatement(deleteRequest({ mode: 'lightweight', settings: { lightweight_deletes_sync: 2 } }))
    expect(lightweight.settings).toEqual({ lightweight_deletes_sync: 0 })
  })

  it('binds times as epoch seconds', () => {
    const statement = buildDeleteStatement(deleteRequest({ ranges: [{ start: JAN_1 + 12 * 3_600_000, end: JAN_1 + 86_400_000 }] }))
    expect(statement.params).toMatchObject({ start: 1767268800, end: 1767312000 })
  })

  it('rejects an empty customer', () => {
    expect(() => buildDeleteStatement(deleteRequest({ customer: '' }))).toThrow(UserError)
  })

  it('rejects an empty or inverted window', () => {
    expect(() => buildDeleteStatement(deleteRequest({ ranges: [{ start: JAN_1, end: JAN_1 }] }))).toThrow(/empty or inverted/)
    expect(() => buildDeleteStatement(deleteRequest({ ranges: [{ start: JAN_1 + 1000, end: JAN_1 }] }))).toThrow(/empty or inverted/)
  })

  it('rejects times DateTime cannot hold exactly', () => {
    expect(() => buildDeleteStatement(deleteRequest({ ranges: [{ start: JAN_1 + 1, end: JAN_1 + 86_400_000 }] }))).toThrow(/whole second/)
    expect(() => buildDeleteStatement(deleteRequest({ ranges: [{ start: -86_400_000, end: JAN_1 }] }))).toThrow(/range/)
  })

  it('rejects identifiers that are not plain names', () => {
    expect(() => buildDeleteStatement(deleteRequest({ onCluster: "c' --" }))).toThrow(/cluster name/)
    expect(() => buildDeleteStatement(deleteRequest({ target: { ...deleteRequest().target, table: 'x; DROP TABLE y' } }))).toThrow(/table name/)
    expect(() => buildDeleteStatement(deleteRequest({ target: { ...deleteRequest().target, customerColumn: 'a`b' } }))).toThrow(/customer column/)
    expect(() => buildDeleteStatement(deleteRequest({ settings: { 'x=1&y': 1 } }))).toThrow(/setting name/)
  })

  it('rejects tags whose rendering ClickHouse would escape', () => {
    expect(() => buildDeleteStatement(deleteRequest({ tag: "bf'x" }))).toThrow(/tag/)
    expect(() => buildDeleteStatement(deleteRequest({ tag: '' }))).toThrow(/tag/)
    expect(renderedTagLiteral('bf:review')).toBe("'bf:review'")
  })

  it('deletes several customers with one bound array, and refuses an empty list or id', () => {
    const statement = buildDeleteStatement(deleteRequest({ customer: ['acme', "o'brien"] }))
    expect(statement.sql).toContain('WHERE `customer_id` IN {customers:Array(String)} AND `conversation_end_time` >= {start:DateTime}')
    expect(statement.sql).not.toContain('brien')
    expect(statement.params).toEqual({ customers: ['acme', "o'brien"], start: PARAMS.start, end: PARAMS.end, tag: PARAMS.tag })
    expect(() => buildDeleteStatement(deleteRequest({ customer: [] }))).toThrow(UserError)
    expect(() => buildDeleteStatement(deleteRequest({ customer: ['acme', ''] }))).toThrow(UserError)
  })
})
