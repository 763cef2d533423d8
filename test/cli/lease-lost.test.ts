import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HeldLease } from '../../src/state/leased-lock.js'
import { acquireLease } from '../../src/state/leased-lock.js'
import { openKubernetesLease } from '../../src/state/kubernetes-lease.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import { bf, bfAsync, bfProcess, ensureBuilt, seedQuickstart } from '../support/cli.js'
import { waitFor } from '../support/wait-for.js'

/**
 * An apply that loses its lease (frozen past the lease's end, taken over by another bf
 * meanwhile): the real CLI, the clickhouse state on the embedded engine, the lease in a
 * Kubernetes Lease on the test API server.
 */
let dir: string
let plan: string
let server: KubeApiServer
let kubeconfig: string
const NAMESPACE = 'backfills'
const LEASE = 'bf-relabel-test'
const JOB = 'local/alaska-air/2026-01-01/job'

beforeAll(async () => {
  ensureBuilt()
  server = await startKubeApiServer()
  kubeconfig = await server.writeKubeconfig({ contexts: ['ops'] })
  dir = mkdtempSync(join(tmpdir(), 'bf-cli-lease-lost-'))
  seedQuickstart(join(dir, 'data'), { customers: 1, days: 1, conversationsPerDay: 5 })
  plan = join(dir, 'plan.yaml')
  const state = `state:\n  backend: clickhouse\n  lease: 2s\n  lock:\n    kubernetes: { context: ops, namespace: ${NAMESPACE}, kubeconfig: ${JSON.stringify(kubeconfig)} }\n`
  // The job takes about two seconds: the lease is lost while it runs.
  const yaml = relabelPlan({ customers: ['alaska-air'], end: '2026-01-02T00:00:00Z', extra: state }).replace('AND ended_at < {end:DateTime}', 'AND ended_at < {end:DateTime} AND sleep(2) = 0')
  writeFileSync(plan, yaml)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('an apply that loses its lease', () => {
  it('starts and records nothing more, says what was running and exits 1; the next apply reconciles it and finishes', async () => {
    const first = bfProcess(['apply', plan, '--auto-approve'], { cwd: dir })
    let stdout = ''
    let stderr = ''
    first.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    first.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = once(first, 'close')
    await waitFor(() => stdout.includes(`▸ ${JOB} started`), { what: () => `the job's start; bf wrote:\n${stdout}${stderr}`, timeoutMs: 60_000, intervalMs: 5 })

    // Frozen past its lease's end: another bf takes the lease over, as it would after a crash.
    first.kill('SIGSTOP')
    let contender: HeldLease | undefined
    const warnings: string[] = []
    try {
      const lease = server.lease(NAMESPACE, LEASE)!
      await waitFor(() => Date.now() > Date.parse(lease.spec.renewTime) + lease.spec.leaseDurationSeconds * 1000, { what: 'the lease to expire', timeoutMs: 10_000, intervalMs: 20 })
      const backend = openKubernetesLease({ context: 'ops', namespace: NAMESPACE, kubeconfig }, 'relabel-test')
      contender = await acquireLease(backend, { operation: 'apply', timeoutMs: 0, leaseMs: 30_000, unlockCommand: 'bf unlock plan.yaml', onWarning: (message) => warnings.push(message) })
      expect(warnings).toEqual([expect.stringMatching(/^took over the expired lease of .*\(pid \d+, apply, since .*, expires .*, lock id .*\) \(Lease bf-relabel-test in namespace backfills\)$/)])
    } finally {
      first.kill('SIGCONT')
    }
    const [code] = await exited
    expect(code, stderr).toBe(1)
    // One line in the progress, nothing started after it, and one line saying why bf exits 1.
    const lost = stdout.split('\n').filter((line) => line.startsWith('Lease lost'))
    expect(lost).toEqual([
      expect.stringMatching(/^Lease lost — lost the state's lease in Lease bf-relabel-test in namespace backfills: it is now held by .*\. Nothing more starts or is recorded; 1 step left running for the next apply to reconcile\.$/),
    ])
    expect(stdout.slice(stdout.indexOf('Lease lost'))).not.toContain('started')
    expect(stdout).toContain('Apply interrupted: ')
    expect(stderr).toMatch(/^Error: bf stopped, starting and recording nothing more: lost the state's lease in Lease bf-relabel-test in namespace backfills: it is now held by [^\n]*\. Running then: local\/alaska-air\/2026-01-01\/job; the next bf apply reconciles them [^\n]*\n$/)
    // The job's end was not recorded: it is still `started`, for the next apply to reconcile.
    expect(bf(['state', 'list', plan], { cwd: dir }).stdout).toMatch(new RegExp(`^${JOB} +started +1 `, 'm'))

    await contender!.release()
    const next = await bfAsync(['apply', plan, '--auto-approve'], { cwd: dir })
    expect(next.status, next.stderr).toBe(0)
    expect(next.stdout).toMatch(/Apply complete: \d+ succeeded, 0 failed, 0 skipped\./)
  })
})
