import { describe, expect, it } from 'vitest'
import type { VerifyReport } from '../../src/engine/verify-model.js'
import type { StepRecord } from '../../src/state/model.js'
import { renderStateList, renderStateShow } from '../../src/views/state-views.js'
import { renderVerifyReport, verifyReportToJson } from '../../src/views/verify-report.js'
import { expectGolden } from './golden.js'

const failedReport = (): VerifyReport => ({
  units: 49,
  failed: [
    {
      address: 'us-east-1-prod/alaska-air/2026-01-03',
      ok: false,
      rows: 2_500,
      keys: 2_410,
      expected: 2_410,
      duplicates: 90,
      ratio: 1,
      noData: false,
      failures: [{ check: 'duplicates', seen: 90, expected: '0', examples: ['c-0001', 'c-0002', 'c-0003', 'c-0004', 'c-0005'] }],
    },
    {
      address: 'us-east-1-prod/alaska-air/2026-02-10',
      ok: false,
      rows: 1_900,
      keys: 1_900,
      expected: 2_410,
      duplicates: 0,
      ratio: 0.788,
      noData: false,
      failures: [
        { check: 'ratio', seen: 0.788, expected: 'between 0.99 and 1.01' },
        { check: 'known-agent-active-days', seen: 0, expected: 'equals 1' },
      ],
    },
  ],
  noData: ['us-east-1-prod/typo-customer/2026-01-01'],
})

const records = (): StepRecord[] => [
  { address: 'us-east-1-prod/check', kind: 'check', status: 'succeeded', attempt: 1, fingerprint: 'sha256:0c1d', startedAt: '2026-03-02T10:00:00.000Z', finishedAt: '2026-03-02T10:00:01.000Z' },
  {
    address: 'us-east-1-prod/alaska-air/delete',
    kind: 'delete',
    status: 'succeeded',
    attempt: 1,
    fingerprint: 'sha256:5e2a',
    inputs: { sql: 'ALTER TABLE default.conversation_with_labels DELETE\nWHERE customer_id = {customer:String}', params: { customer: 'alaska-air' } },
    outputs: { mutations: { 'ch-0': '0000000042', 'ch-1': '0000000042' } },
    startedAt: '2026-03-02T10:00:01.000Z',
    finishedAt: '2026-03-02T10:00:03.000Z',
  },
  {
    address: 'us-east-1-prod/alaska-air/2026-01-02/job',
    kind: 'job',
    status: 'failed',
    attempt: 2,
    fingerprint: 'sha256:77aa',
    outputs: { jobName: 'bf-relabel-2026-alaska-air-20260102-2' },
    error: 'Job bf-relabel-2026-alaska-air-20260102-2 failed: BackoffLimitExceeded\nsee kubectl logs job/bf-relabel-2026-alaska-air-20260102-2',
    startedAt: '2026-03-02T10:01:39.000Z',
    finishedAt: '2026-03-02T10:02:09.000Z',
  },
  { address: 'us-east-1-prod/alaska-air/2026-01-03/job', kind: 'job', status: 'started', attempt: 1, fingerprint: 'sha256:88bb', startedAt: '2026-03-02T10:02:10.000Z' },
]

describe('renderVerifyReport', () => {
  it('tables every failed check', () => {
    expectGolden('verify/failed.txt', renderVerifyReport(failedReport(), { color: false }))
    expect(renderVerifyReport(failedReport(), { color: true })).toContain('\u001b[31m')
  })

  it('says when every unit is verified', () => {
    expect(renderVerifyReport({ units: 49, failed: [], noData: [] }, { color: false })).toBe('All 49 units verified.\n')
  })

  it('names units with no data apart instead of counting them verified', () => {
    const text = renderVerifyReport({ units: 6, failed: [], noData: ['local/typo/2026-01-01', 'local/typo/2026-01-02'] }, { color: false })
    expect(text).toBe(
      '4 of 6 units verified.\n2 units had no data (nothing expected, nothing written): local/typo/2026-01-01, local/typo/2026-01-02. A customer id may be wrong; verify.requireData: true fails them.\n',
    )
  })

  it('has a JSON form with stable keys', () => {
    expectGolden('verify/failed.json', `${JSON.stringify(verifyReportToJson(failedReport()), null, 2)}\n`)
  })
})

describe('state views', () => {
  it('lists steps in aligned columns', () => {
    const text = renderStateList(records())
    expectGolden('state/list.txt', text)
    const lines = text.trimEnd().split('\n')
    const column = lines[0]?.indexOf('STATUS') ?? -1
    for (const line of lines) expect(line.slice(column)).toMatch(/^(STATUS|succeeded|failed|started) /)
    expect(renderStateList([])).toBe('No steps in state.\n')
  })

  it('shows everything recorded for a step', () => {
    expectGolden('state/show-delete.txt', renderStateShow(records()[1] as StepRecord))
    expectGolden('state/show-failed-job.txt', renderStateShow(records()[2] as StepRecord))
  })
})
