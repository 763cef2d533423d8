import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadChecks, runLoadChecks } from '../../src/engine/gates/load-checks.js'
import type { PlanSpec } from '../../src/plan/model.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import type { Warehouse } from '../../src/warehouse/warehouse.js'
import { startReplicasServer } from '../support/clickhouse-replicas-server.js'
import type { ReplicasScenario, ReplicasServer } from '../support/clickhouse-replicas-server.js'
import { openEmbeddedFixture } from './embedded-fixture.js'
import type { EmbeddedFixture } from './embedded-fixture.js'
import { httpCluster } from './fixtures.js'

const TABLE = { database: 'analytics', table: 'load_target' }

describe('load figures of the embedded engine, from its own system tables', () => {
  let fixture: EmbeddedFixture

  beforeAll(async () => {
    fixture = await openEmbeddedFixture()
    await fixture.sql.command({ query: 'CREATE DATABASE IF NOT EXISTS analytics' })
    await fixture.sql.command({ query: 'CREATE TABLE analytics.load_target (p UInt8, v UInt32) ENGINE = MergeTree PARTITION BY p ORDER BY v' })
    await fixture.sql.command({ query: 'SYSTEM STOP MERGES analytics.load_target' })
    // Each insert is a part: three in partition 1, one in partition 2.
    for (const [p, v] of [[1, 1], [1, 2], [1, 3], [2, 4]]) await fixture.sql.command({ query: `INSERT INTO analytics.load_target VALUES (${p}, ${v})` })
  }, 60_000)

  afterAll(async () => {
    await fixture?.close()
  })

  it('counts the most active parts in one partition, no replication for a table without replicas, and a share of the merge pool', async () => {
    expect(await fixture.warehouse.loadMetric('partsPerPartition', TABLE)).toBe(3)
    expect(await fixture.warehouse.loadMetric('partsPerPartition', { database: 'analytics', table: 'no_such_table' })).toBe(0)
    expect(await fixture.warehouse.loadMetric('replicationDelay', TABLE)).toBe(0)
    expect(await fixture.warehouse.loadMetric('replicationQueue', TABLE)).toBe(0)
    const busy = await fixture.warehouse.loadMetric('mergesBusy', TABLE)
    expect(busy).toBeGreaterThanOrEqual(0)
    expect(busy).toBeLessThanOrEqual(1)
  })

  it('runs a plan\'s checks as one round: values and limits, and a custom check that cannot run reported, not counted as busy', async () => {
    const spec = {
      target: { database: 'analytics', table: 'load_target' },
      throttle: {
        intervalMs: 30_000,
        partsPerPartition: 2,
        replicationDelayMs: 300_000,
        checks: [
          { name: 'rows', sql: 'SELECT count() FROM analytics.load_target WHERE {cluster:String} != \'\'', max: 100 },
          { name: 'gone', sql: 'SELECT count() FROM analytics.no_such_table', max: 1 },
        ],
      },
    } as unknown as PlanSpec
    const round = await runLoadChecks(loadChecks(spec, 'local'), fixture.warehouse)
    expect(round.readings).toEqual([
      { check: 'replicationDelay', value: 0, limit: 300 },
      { check: 'partsPerPartition', value: 3, limit: 2 },
      { check: 'rows', value: 4, limit: 100 },
    ])
    expect(round.failures).toEqual([{ check: 'gone', error: expect.stringMatching(/no_such_table/) as unknown }])
  })
})

describe('load figures of a cluster of replicas, over ClickHouse HTTP', () => {
  let server: ReplicasServer
  let onCluster: Warehouse
  let single: Warehouse

  const scenario = (extra: Partial<ReplicasScenario> = {}): ReplicasScenario => ({
    cluster: 'conversations',
    replicas: ['ch-1', 'ch-2', 'ch-3'],
    mutations: [],
    load: {
      replicas: [
        { host: 'ch-1', database: 'analytics', table: 'load_target', absoluteDelay: 4, queueSize: 10 },
        { host: 'ch-2', database: 'analytics', table: 'load_target', absoluteDelay: 420, queueSize: 3 },
        { host: 'ch-3', database: 'analytics', table: 'other', absoluteDelay: 9_000, queueSize: 900 },
      ],
      parts: [
        { host: 'ch-1', database: 'analytics', table: 'load_target', partitionId: '202601', activeParts: 12 },
        { host: 'ch-3', database: 'analytics', table: 'load_target', partitionId: '202602', activeParts: 250 },
      ],
      pool: [
        { host: 'ch-1', tasks: 8, size: 32 },
        { host: 'ch-2', tasks: 30, size: 32 },
        { host: 'ch-3', tasks: 6, size: 0 },
      ],
      poolSettings: { poolSize: 4, ratio: 2 },
    },
    ...extra,
  })

  beforeAll(async () => {
    server = await startReplicasServer(scenario())
    onCluster = await openWarehouse(httpCluster(server.url, { cluster: 'conversations' }), { retry: { attempts: 1 } })
    single = await openWarehouse(httpCluster(server.url), { retry: { attempts: 1 } })
  })

  afterAll(async () => {
    await onCluster?.close()
    await single?.close()
    await server?.close()
  })

  it('takes the largest figure over every replica of the ON CLUSTER name, for the target table only, with every value bound', async () => {
    expect(await onCluster.loadMetric('replicationDelay', TABLE)).toBe(420)
    expect(await onCluster.loadMetric('replicationQueue', TABLE)).toBe(10)
    expect(await onCluster.loadMetric('partsPerPartition', TABLE)).toBe(250)
    // ch-3 reports no pool size: its size comes from the server settings (4 × 2), so 6 of 8 is the busiest.
    expect(await onCluster.loadMetric('mergesBusy', TABLE)).toBe(0.9375)
    const sent = server.requests.filter((request) => /system\.(replicas|parts|metrics)/.test(request.sql))
    expect(sent.every((request) => request.sql.includes('clusterAllReplicas({cluster:String}, system.'))).toBe(true)
    expect(sent.every((request) => !request.sql.includes('load_target') && !request.sql.includes('analytics'))).toBe(true)
  })

  it('reads the server it talks to when the cluster has no ON CLUSTER name', async () => {
    expect(await single.loadMetric('replicationDelay', TABLE)).toBe(4)
    expect(await single.loadMetric('partsPerPartition', TABLE)).toBe(12)
    expect(await single.loadMetric('mergesBusy', TABLE)).toBe(0.25)
  })

  it('fails a check whose system table the server lacks, which the round reports instead of throttling', async () => {
    server.scenario = scenario({ load: { ...scenario().load, missing: ['replicas'] } })
    try {
      await expect(single.loadMetric('replicationDelay', TABLE)).rejects.toThrow(/system\.replicas does not exist/)
      const spec = { target: { database: 'analytics', table: 'load_target' }, throttle: { intervalMs: 1, replicationDelayMs: 60_000, partsPerPartition: 100, checks: [] } } as unknown as PlanSpec
      const round = await runLoadChecks(loadChecks(spec, 'us-east-1-prod'), single)
      expect(round.readings).toEqual([{ check: 'partsPerPartition', value: 12, limit: 100 }])
      expect(round.failures.map((failure) => failure.check)).toEqual(['replicationDelay'])
    } finally {
      server.scenario = scenario()
    }
  })
})
