import type { BatchGrid, ClusterSpec, CustomerSpec, ExpectedSpec, TargetSpec } from '../../src/plan/model.js'
import type { DeleteRequest } from '../../src/warehouse/warehouse.js'

export const DAY = 86_400_000
export const HOUR = 3_600_000
export const JAN_1 = Date.UTC(2026, 0, 1)

export const target: TargetSpec = {
  database: 'analytics',
  table: 'conversation_with_labels',
  readTable: 'conversation_with_labels',
  timeColumn: 'conversation_end_time',
  customerColumn: 'customer_id',
  keyColumns: ['conversation_id', 'profile_id'],
}

export const expected: ExpectedSpec = {
  database: 'analytics',
  table: 'conversations',
  timeColumn: 'ended_at',
  customerColumn: 'customer_id',
  keyColumns: ['conversation_id', 'profile_id'],
}

export const dayGrid: BatchGrid = { origin: JAN_1, stepMs: DAY, text: '1d' }

export function customer(id: string, startDay: number, days: number, offsetMs = 0): CustomerSpec {
  return { id, window: { start: JAN_1 + startDay * DAY + offsetMs, end: JAN_1 + (startDay + days) * DAY } }
}

export function deleteRequest(overrides: Partial<DeleteRequest> = {}): DeleteRequest {
  return {
    target,
    customer: 'alaska-air',
    ranges: [{ start: JAN_1, end: Date.UTC(2026, 1, 19) }],
    mode: 'mutation',
    settings: {},
    tag: 'bf:relabel-2026:0f3a9c',
    ...overrides,
  }
}

export function httpCluster(url: string, overrides: Partial<ClusterSpec['clickhouse']> = {}): ClusterSpec {
  return { name: 'us-east-1-prod', clickhouse: { url, settings: {}, ...overrides }, customers: [] }
}

export function embeddedCluster(path: string): ClusterSpec {
  return { name: 'local', clickhouse: { embedded: path, settings: {} }, customers: [] }
}
