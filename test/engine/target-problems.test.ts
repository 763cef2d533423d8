import { describe, expect, it } from 'vitest'
import { targetProblems } from '../../src/engine/target-problems.js'
import { loadPlanText } from '../../src/plan/load.js'
import type { TableFacts, TargetDescription } from '../../src/warehouse/warehouse.js'
import { relabelPlan } from '../support/embedded-workspace.js'

const spec = loadPlanText(relabelPlan({ customers: ['acme'], extra: 'guards:\n  maxPendingMutations: 2\n' }), 'plan.yaml').spec
const columns = [
  { name: 'conversation_id', type: 'String' },
  { name: 'customer_id', type: 'String' },
  { name: 'conversation_end_time', type: 'DateTime' },
]
const table = (name: string, engine = 'MergeTree', sortingKey = 'customer_id, conversation_id'): TableFacts => ({ database: 'default', table: name, engine, sortingKey, partitionKey: '', columns })
const healthy: TargetDescription = { target: table('conversation_with_labels'), readTable: table('conversation_with_labels'), expectedTable: table('conversation_d'), pendingMutations: 0 }
const codes = (described: TargetDescription): [string, string, boolean][] => targetProblems(spec, 'local', described).map((problem) => [problem.code, problem.severity, problem.failsCheck])

describe('problems of the plan target, for the plan and the check step', () => {
  it('finds none on healthy tables', () => {
    expect(targetProblems(spec, 'local', healthy)).toEqual([])
  })

  it('stops at a missing target', () => {
    expect(targetProblems(spec, 'local', { pendingMutations: 0 })).toEqual([
      { severity: 'error', code: 'target-missing', message: 'table default.conversation_with_labels does not exist on local', failsCheck: true },
    ])
  })

  it('words a time column that windows cannot bound as refresh does', () => {
    const target = { ...table('conversation_with_labels'), columns: [...columns.slice(0, 2), { name: 'conversation_end_time', type: 'String' }] }
    expect(targetProblems(spec, 'local', { ...healthy, target }).map((problem) => problem.message)).toEqual([
      'default.conversation_with_labels.conversation_end_time is String, not a Date or DateTime: target.timeColumn must be one',
    ])
  })

  it('says what removes a stale row of a mutable sort key only when the plan deletes', () => {
    const mutable = { ...healthy, target: table('conversation_with_labels', 'MergeTree', 'toStartOfHour(conversation_end_time), agent_user_id') }
    const message = (yaml: string): string => targetProblems(loadPlanText(yaml, 'plan.yaml').spec, 'local', mutable).find((problem) => problem.code === 'mutable-sort-key')?.message ?? ''
    const deleting = relabelPlan({ customers: ['acme'] })
    expect(message(deleting)).toMatch(/the delete before each job removes it$/)
    const appendOnly = message(deleting.replace(/delete:\n {2}per: customer\n {2}timeout: 1m\n/, 'delete: false\n'))
    expect(appendOnly).toMatch(/with delete: false nothing removes it, and verify reports it as a duplicate$/)
    expect(appendOnly).not.toContain('the delete')
  })

  it('says nothing of deletes to a plan without them: a Distributed target and pending mutations only matter to deletes', () => {
    const appendOnly = loadPlanText(relabelPlan({ customers: ['acme'] }).replace(/delete:\n {2}per: customer\n {2}timeout: 1m\n/, 'delete: false\n').replace('clusters:', 'guards:\n  maxPendingMutations: 1\nclusters:'), 'plan.yaml').spec
    const found = targetProblems(appendOnly, 'local', { ...healthy, target: table('conversation_with_labels', 'Distributed'), pendingMutations: 3 })
    expect(found.map((problem) => problem.code)).toEqual([])
  })

  it('tells which problems fail the check step', () => {
    expect(codes({ target: table('conversation_with_labels', 'Distributed'), pendingMutations: 3 })).toEqual([
      ['distributed-target', 'error', true],
      ['read-table-missing', 'warning', true],
      ['expected-table-missing', 'warning', false],
      ['pending-mutations', 'warning', true],
    ])
    expect(codes({ ...healthy, target: table('conversation_with_labels', 'MergeTree', 'conversation_end_time, conversation_id') })).toEqual([['mutable-sort-key', 'warning', false]])
  })
})
