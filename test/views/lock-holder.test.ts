import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { operationWarnings, planOperations } from '../../src/engine/gates/plan-operations.js'
import { emptyTotals } from '../../src/engine/report/model.js'
import { loadPlan } from '../../src/plan/load.js'
import type { LockInfo } from '../../src/state/store.js'
import { renderLockHolder } from '../../src/views/lock-holder.js'
import { renderPlanHuman } from '../../src/views/plan-human.js'
import { planJsonChunks } from '../../src/views/plan-json.js'
import { renderStatus, statusToJson } from '../../src/views/status.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { referencePlan } from './plans.js'

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

const FROM = 'https://github.com/acme/backfills/actions/runs/7'
const lease: LockInfo = { id: 'l-1', who: 'bob', host: 'bf-apply-7d9f', pid: 1, operation: 'apply', created: '2026-01-15T10:00:00.000Z', expires: '2026-01-15T10:00:30.000Z', from: FROM }
const fileLock: LockInfo = { id: 'l-2', who: 'alice', host: 'laptop', pid: 4242, operation: 'apply', created: '2026-01-15T10:00:00.000Z' }

describe('a lock holder as bf shows it', () => {
  it('is one line in the human plan, and state.lock in the JSON plan, with expires and from when known', () => {
    const human = renderPlanHuman(referencePlan(), { color: false, showSql: false, operations: { lock: lease }, now: Date.parse('2026-01-15T10:00:10Z') })
    const lines = human.split('\n').filter((line) => line.includes('bob@'))
    expect(lines).toEqual([
      `Locked: bob@bf-apply-7d9f (pid 1, apply, since 2026-01-15T10:00:00.000Z, expires 2026-01-15T10:00:30.000Z, from ${FROM}, lock id l-1) holds the state; bf apply must wait for it to end (--lock-timeout).`,
    ])
    for (const [holder, json] of [
      [lease, { who: 'bob', host: 'bf-apply-7d9f', pid: 1, operation: 'apply', since: lease.created, expires: lease.expires, from: FROM, lock_id: 'l-1' }],
      [fileLock, { who: 'alice', host: 'laptop', pid: 4242, operation: 'apply', since: fileLock.created, lock_id: 'l-2' }],
    ] as const) {
      const document = JSON.parse([...planJsonChunks(referencePlan(), { lock: holder })].join(''))
      expect(validate(document), JSON.stringify(validate.errors)).toBe(true)
      expect(document.state.lock).toEqual(json)
    }
    const unlocked = JSON.parse([...planJsonChunks(referencePlan(), {})].join(''))
    expect(unlocked.state).not.toHaveProperty('lock')
    expect(renderPlanHuman(referencePlan(), { color: false, showSql: false, operations: {} })).not.toContain('Locked:')
  })

  it('shows expires and from in bf status and bf unlock', () => {
    const model = { plan: { name: 'p', file: 'p.yaml' }, state: { lineage: 'x', serial: 3 }, holder: lease, clusters: [], totals: emptyTotals(), recent: [] }
    expect(renderStatus(model, { color: false })).toContain(
      `Applying: apply by bob@bf-apply-7d9f (pid 1) since 2026-01-15T10:00:00.000Z, lease expires 2026-01-15T10:00:30.000Z, from ${FROM}\n`,
    )
    expect(statusToJson(model)).toMatchObject({ holder: { expires: lease.expires, from: FROM, lock_id: 'l-1' } })
    expect(renderLockHolder(lease)).toBe(
      [
        'The state is locked by:',
        '  Who:       bob',
        '  Host:      bf-apply-7d9f',
        '  PID:       1',
        '  Operation: apply',
        '  Since:     2026-01-15T10:00:00.000Z',
        '  Expires:   2026-01-15T10:00:30.000Z',
        `  From:      ${FROM}`,
        '  Lock ID:   l-1',
      ].join('\n'),
    )
    expect(renderLockHolder(fileLock)).not.toMatch(/Expires|From/)
  })
})

describe('bf plan when the lock holder cannot be read', () => {
  it('plans on with a warning instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-lock-unreadable-'))
    try {
      writeFileSync(join(dir, 'plan.yaml'), relabelPlan({ customers: ['acme'] }))
      const { spec } = await loadPlan(join(dir, 'plan.yaml'))
      mkdirSync(spec.statePath, { recursive: true })
      writeFileSync(join(spec.statePath, 'lock.json'), 'edited by hand')
      const engine = await openEngine(spec)
      try {
        const operations = await planOperations(spec, engine.deps, { refresh: false, now: Date.now() })
        expect(operations.lock).toBeUndefined()
        expect(operationWarnings(operations)).toEqual([
          expect.objectContaining({ severity: 'warning', code: 'lock-unreadable', message: expect.stringMatching(/^cannot tell whether an apply holds the state's lock: .*lock\.json is not a bf lock \(not valid JSON\)/) }),
        ])
      } finally {
        await engine.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
