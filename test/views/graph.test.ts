import { describe, expect, it } from 'vitest'
import type { PlannedStep } from '../../src/engine/plan-model.js'
import { renderGraphDot, renderGraphMermaid } from '../../src/views/graph.js'
import { expectGolden } from './golden.js'
import { mixedPlan } from './plans.js'

const steps = (): PlannedStep[] => mixedPlan().steps.filter((step) => step.customer !== 'globex')

describe('graph', () => {
  it('renders Mermaid with safe ids and escaped labels', () => {
    const text = renderGraphMermaid(steps())
    expectGolden('graph/mixed.mmd', text)
    expect(text.startsWith('flowchart TD\n')).toBe(true)
    expect(text).toContain('["us-east-1-prod/we#quot;ird%2Fco/2026-01-01/job"]')
  })

  it('renders DOT with quoted, escaped node ids', () => {
    const text = renderGraphDot(steps())
    expectGolden('graph/mixed.dot', text)
    expect(text).toContain('"us-east-1-prod/we\\"ird%2Fco/2026-01-01/job"')
  })

  it('escapes every character that could break out of a label', () => {
    const step: PlannedStep = { address: 'c/a"b<c>#d`e\\f\ng/job', kind: 'job', dependsOn: [], cluster: 'c', fingerprint: 'f', inputs: {} }
    expect(renderGraphMermaid([step])).toBe('flowchart TD\n  s0["c/a#quot;b#lt;c#gt;#35;d#96;e\\f g/job"]\n')
    expect(renderGraphDot([step])).toContain('  "c/a\\"b<c>#d`e\\\\f\\ng/job";\n')
  })
})
