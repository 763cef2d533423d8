import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { unitCount, unitsOf } from '../../src/plan/batches.js'
import { loadPlan } from '../../src/plan/load.js'

const DAY = 86_400_000
const JAN_1 = Date.UTC(2026, 0, 1)
const FEB_19 = Date.UTC(2026, 1, 19)

describe('the reference plan (plans/2026.yaml)', () => {
  it('loads to the resolved model, defaults filled in', async () => {
    const { spec, warnings } = await loadPlan('plans/2026.yaml')
    expect(warnings).toEqual([])
    expect(spec).toEqual({
      version: 1,
      name: 'relabel-2026',
      description: expect.stringMatching(/^Re-run cron-label-conversations over 2026/),
      source: { file: 'plans/2026.yaml', dir: resolve('plans'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      window: { start: JAN_1, end: FEB_19 },
      batch: { origin: JAN_1, stepMs: DAY, text: '1d' },
      target: {
        database: 'default',
        table: 'conversation_with_labels',
        readTable: 'conversation_with_labels_d',
        timeColumn: 'conversation_end_time',
        customerColumn: 'customer_id',
        keyColumns: ['conversation_id'],
      },
      expected: { database: 'default', table: 'conversation_d', timeColumn: 'ended_at', customerColumn: 'customer_id', keyColumns: ['conversation_id'] },
      delete: { mode: 'mutation', per: 'customer', maxCustomers: 1000, settings: { replication_wait_for_inactive_replica_timeout: 0 }, timeoutMs: 6 * 3_600_000 },
      job: {
        kind: 'kubernetes',
        kubernetes: { cronJob: 'cron-label-conversations', namespace: 'cresta-cron', ownerReference: true, onTemplateChange: 'keep' },
        env: {
          ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: 'true',
          LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: '{{ batch.start }}',
          LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: '{{ batch.end }}',
          LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: '24h',
          FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: '{{ customer }}',
        },
        timeoutMs: 2 * 3_600_000,
        retries: 1,
        concurrency: 2,
      },
      verify: {
        duplicates: true,
        requireData: false,
        ratio: { min: 0.99, max: 1.01 },
        checks: [
          {
            name: 'known-agent-active-days',
            customers: ['alaska-air'],
            sql: expect.stringContaining('WHERE customer_id = {customer:String}'),
            expect: { equals: 1 },
          },
        ],
      },
      rollout: { canary: ['alaska-air'], order: 'forward' },
      guards: { maxPendingMutations: 5, maxDeleteRows: 50_000_000 },
      statePath: resolve('plans/.bf/state/relabel-2026'),
      state: { backend: 'file' },
      clusters: [
        {
          name: 'us-east-1-prod',
          clickhouse: {
            url: 'https://clickhouse.us-east-1-prod.internal:8443',
            cluster: 'conversations',
            username: 'backfill',
            password: '${env:CLICKHOUSE_PASSWORD}',
            settings: {},
          },
          kubernetes: { context: 'us-east-1-prod_dev' },
          customers: [{ id: 'alaska-air', window: { start: JAN_1, end: FEB_19 } }],
        },
      ],
      envRefs: ['CLICKHOUSE_PASSWORD'],
    })
  })

  it('has 49 daily units, from us-east-1-prod/alaska-air/2026-01-01 to 2026-02-18', async () => {
    const { spec } = await loadPlan('plans/2026.yaml')
    const units = [...unitsOf(spec)]
    expect(spec.clusters).toHaveLength(1)
    expect(spec.clusters[0]?.customers).toHaveLength(1)
    expect(unitCount(spec)).toBe(49)
    expect(units).toHaveLength(49)
    expect(units[0]).toEqual({
      address: 'us-east-1-prod/alaska-air/2026-01-01',
      cluster: 'us-east-1-prod',
      customer: 'alaska-air',
      batch: { start: JAN_1, end: JAN_1 + DAY, label: '2026-01-01' },
    })
    expect(units.at(-1)?.address).toBe('us-east-1-prod/alaska-air/2026-02-18')
    expect(units.at(-1)?.batch.end).toBe(FEB_19)
    units.forEach((unit, i) => expect(unit.batch.start).toBe(JAN_1 + i * DAY))
  })
})
