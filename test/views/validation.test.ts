import { describe, expect, it } from 'vitest'
import { loadPlanText } from '../../src/plan/load.js'
import { renderValidation } from '../../src/views/validation.js'
import { relabelPlan } from '../support/embedded-workspace.js'

describe('renderValidation', () => {
  it('counts one unit as one unit', () => {
    const { spec } = loadPlanText(relabelPlan({ customers: ['acme'], start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }), 'plan.yaml')
    expect(renderValidation(spec)).toContain('relabel-test: 1 cluster, 1 customer, 1 unit of 1d, jobs: sql')
  })
})
