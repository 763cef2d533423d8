import { describe, expect, it } from 'vitest'
import { loadPlan } from '../../src/plan/load.js'

describe('schedule and throttle in a plan', () => {
  it('resolve to windows read in the plan\'s time zone and limits in the units the checks answer in', async () => {
    const { spec, warnings } = await loadPlan('test/fixtures/valid/busy-cluster.yaml')
    expect(warnings).toEqual([])
    expect(spec.schedule).toEqual({
      timezone: 'America/Los_Angeles',
      windows: [
        { text: 'Mon-Fri 22:00-06:00', days: [1, 2, 3, 4, 5], startMinute: 1320, endMinute: 360 },
        { text: 'Sat,Sun 00:00-24:00', days: [6, 7], startMinute: 0, endMinute: 1440 },
      ],
    })
    expect(spec.throttle).toEqual({
      intervalMs: 30_000,
      replicationDelayMs: 300_000,
      replicationQueue: 100,
      partsPerPartition: 300,
      mergesBusy: 0.8,
      checks: [{ name: 'running-inserts', sql: "SELECT count() FROM system.processes WHERE query_kind = 'Insert' AND {cluster:String} != ''", max: 20 }],
    })
  })

  it('are absent from a plan that does not set them', async () => {
    const { spec } = await loadPlan('test/fixtures/valid/sql-job.yaml')
    expect(spec.schedule).toBeUndefined()
    expect(spec.throttle).toBeUndefined()
  })
})
