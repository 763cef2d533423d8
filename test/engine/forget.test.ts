import { describe, expect, it } from 'vitest'
import { orphanedSteps, planIndex } from '../../src/engine/forget.js'
import { loadPlanText } from '../../src/plan/load.js'
import type { StepRecord } from '../../src/state/model.js'
import { relabelPlan } from '../support/embedded-workspace.js'

const record = (address: string): [string, StepRecord] => [
  address,
  { address, kind: address.split('/').at(-1) as StepRecord['kind'], status: 'succeeded', attempt: 1, fingerprint: 'f', startedAt: '2026-06-01T00:00:00Z' },
]

function orphansOf(per: 'customer' | 'batch', addresses: string[]) {
  const { spec } = loadPlanText(relabelPlan({ customers: ['acme', 'we/ird%co'], per }), 'plan.yaml')
  return orphanedSteps(planIndex(spec), new Map(addresses.map(record)))
}

describe('orphanedSteps', () => {
  it('groups the steps of units gone from the plan file by unit, and keeps those still in it', () => {
    const found = orphansOf('customer', [
      'local/check',
      'local/acme/delete',
      'local/acme/await-mutation',
      'local/acme/2026-01-01/job',
      'local/acme/2026-01-01/verify',
      'local/acme/2026-01-09/job',
      'local/acme/2026-01-09/verify',
      'local/globex/2026-01-01/job',
      'local/globex/2026-01-01/verify',
      'local/globex/2026-01-02/job',
      'local/we%2Fird%25co/2026-01-02/job',
      'local/we%2Fird%25co/2026-01-02/verify',
    ])
    expect(Object.fromEntries(found.units)).toEqual({
      'local/acme/2026-01-09': ['local/acme/2026-01-09/job', 'local/acme/2026-01-09/verify'],
      'local/globex/2026-01-01': ['local/globex/2026-01-01/job', 'local/globex/2026-01-01/verify'],
      'local/globex/2026-01-02': ['local/globex/2026-01-02/job'],
    })
    expect(found.others).toEqual([])
  })

  it('lists steps the plan no longer has when deletes changed from per batch to per customer, and back', () => {
    const perBatchSteps = ['local/acme/2026-01-01/delete', 'local/acme/2026-01-01/await-mutation', 'local/acme/2026-01-01/job', 'local/acme/2026-01-01/verify']
    expect(orphansOf('customer', perBatchSteps).others).toEqual(['local/acme/2026-01-01/delete', 'local/acme/2026-01-01/await-mutation'])
    expect(orphansOf('batch', perBatchSteps).others).toEqual([])
    expect(orphansOf('batch', ['local/acme/delete', 'local/acme/2026-01-01/job', 'other/check']).others).toEqual(['local/acme/delete', 'other/check'])
  })
})
