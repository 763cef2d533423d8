import { describe, expect, it } from 'vitest'
import type { StatusModel } from '../../src/engine/status/build-status.js'
import { renderStatus, statusToJson } from '../../src/views/status.js'

const totals = { verified: 3, failed: 0, drifted: 0, running: 1, todo: 2 }

function model(holder: StatusModel['holder']): StatusModel {
  return {
    plan: { name: 'relabel-2026', file: 'plans/2026.yaml' },
    state: { lineage: '5f0c3f0e', serial: 12 },
    ...(holder ? { holder } : {}),
    clusters: [{ name: 'us-east-1-prod', totals }],
    totals,
    elapsedMs: 60_000,
    etaMs: 40_000,
    recent: [],
  }
}

const LEASE = {
  id: 'b7e1',
  who: 'runner',
  host: 'ci-7f9c',
  pid: 1234,
  operation: 'apply',
  created: '2026-01-15T10:00:00.000Z',
  expires: '2026-01-15T10:31:00.000Z',
  from: 'https://github.com/acme/backfills/actions/runs/42',
}

describe('bf status', () => {
  it("names a lease's expiry and the CI run or pod its holder runs in, when the lock has them", () => {
    expect(renderStatus(model(LEASE), { color: false })).toContain(
      'Applying: apply by runner@ci-7f9c (pid 1234) since 2026-01-15T10:00:00.000Z, lease expires 2026-01-15T10:31:00.000Z, from https://github.com/acme/backfills/actions/runs/42\n',
    )
    expect(statusToJson(model(LEASE))).toMatchObject({
      holder: { who: 'runner', host: 'ci-7f9c', pid: 1234, operation: 'apply', since: LEASE.created, expires: LEASE.expires, from: LEASE.from },
    })
  })

  it('shows a file lock, which has neither, as before; --json leaves them out', () => {
    const { expires: _expires, from: _from, ...fileLock } = LEASE
    expect(renderStatus(model(fileLock), { color: false })).toContain('Applying: apply by runner@ci-7f9c (pid 1234) since 2026-01-15T10:00:00.000Z\n')
    const holder = (statusToJson(model(fileLock)) as { holder: object }).holder
    expect(holder).toEqual({ who: 'runner', host: 'ci-7f9c', pid: 1234, operation: 'apply', since: LEASE.created, lock_id: 'b7e1' })
    expect(statusToJson(model(undefined))).toMatchObject({ holder: null })
  })
})
