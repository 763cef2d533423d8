import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesLeaseBackend } from '../../src/state/kubernetes-lease.js'
import { openKubernetesLease } from '../../src/state/kubernetes-lease.js'
import type { LeaseRecord } from '../../src/state/lease-backend.js'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'

/** The Kubernetes lease backend against the test API server, through the real client. */
let server: KubeApiServer
let kubeconfig: string
const NAMESPACE = 'backfills'
const opened: KubernetesLeaseBackend[] = []
let plans = 0

beforeAll(async () => {
  server = await startKubeApiServer()
  kubeconfig = await server.writeKubeconfig({ contexts: ['ops'] })
})
afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()))
  await server.close()
})

/** A backend for a plan of its own (each test its own Lease), as a separate bf process would have one. */
function backend(plan = `plan-${++plans}`): KubernetesLeaseBackend {
  const made = openKubernetesLease({ context: 'ops', namespace: NAMESPACE, kubeconfig }, plan, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, requestTimeoutMs: 2_000 })
  opened.push(made)
  return made
}

function record(id: string, epoch = 1, from?: string): LeaseRecord {
  return {
    id,
    who: 'alice',
    host: 'laptop',
    pid: 4242,
    operation: 'apply',
    created: '2026-01-15T10:00:00.123Z',
    expires: new Date(Date.now() + 1_500).toISOString(),
    epoch,
    ...(from ? { from } : {}),
  }
}

/** `bf-<plan>`, out of `Lease bf-<plan> in namespace …`. */
const nameOf = (lease: KubernetesLeaseBackend): string => lease.where.split(' ')[1]!

describe('the Kubernetes lease backend', () => {
  it('creates a Lease named after the plan holding every holder field, and creates it only once', async () => {
    const lease = backend('relabel-2026')
    expect(lease.where).toBe('Lease bf-relabel-2026 in namespace backfills')
    expect(await lease.read()).toBeUndefined()
    const mine = record('lock-1', 1, 'https://github.com/acme/backfills/actions/runs/7')
    expect(await lease.create(mine)).toBe(true)

    const stored = await lease.read()
    expect(stored?.record).toEqual(mine)
    const object = server.lease(NAMESPACE, 'bf-relabel-2026')!
    expect(stored?.version).toBe(object.metadata.resourceVersion)
    // What kubectl and other tools read: holder, times, transitions.
    expect(object.spec).toMatchObject({ holderIdentity: 'lock-1', leaseTransitions: 1, acquireTime: '2026-01-15T10:00:00.123000Z' })
    expect(Date.parse(object.spec.renewTime) + object.spec.leaseDurationSeconds * 1000).toBe(Date.parse(mine.expires))
    expect(object.metadata.annotations).toMatchObject({ 'bf.dev/plan': 'relabel-2026', 'bf.dev/who': 'alice', 'bf.dev/pid': '4242', 'bf.dev/from': mine.from })

    expect(await backend('relabel-2026').create(record('lock-2'))).toBe(false)
    expect((await lease.read())?.record.id).toBe('lock-1')
  })

  it('replaces and removes only at the version read', async () => {
    const lease = backend()
    await lease.create(record('lock-1'))
    const first = (await lease.read())!
    const renewed = { ...first.record, expires: new Date(Date.now() + 3_000).toISOString() }
    expect(await lease.replace(first.version, renewed)).toBe(true)
    const second = (await lease.read())!
    expect(second.version).not.toBe(first.version)
    expect(second.record.expires).toBe(renewed.expires)

    expect(await lease.replace(first.version, record('late', 2))).toBe(false)
    expect(await lease.remove(first.version)).toBe(false)
    expect((await lease.read())?.record.id).toBe('lock-1')
    expect(await lease.remove(second.version)).toBe(true)
    expect(await lease.read()).toBeUndefined()
    expect(await lease.replace(second.version, renewed)).toBe(false)
  })

  it('lets exactly one of two contenders win a replace of the same version', async () => {
    const plan = `race-${++plans}`
    const [a, b] = [backend(plan), backend(plan)]
    await a.create(record('expired-holder', 4))
    const seen = (await a.read())!
    for (let round = 0; round < 5; round++) {
      const version = round === 0 ? seen.version : (await a.read())!.version
      const outcomes = await Promise.all([a.replace(version, record(`a-${round}`, 5 + round)), b.replace(version, record(`b-${round}`, 5 + round))])
      expect(outcomes.filter(Boolean)).toHaveLength(1)
      const winner = outcomes[0] ? `a-${round}` : `b-${round}`
      expect((await b.read())?.record).toMatchObject({ id: winner, epoch: 5 + round })
    }
    expect(server.requestsMatching((request) => request.verb === 'update' && request.resource === 'leases').length).toBeGreaterThanOrEqual(10)
  })

  it('learns whether a write whose answer was lost was applied, instead of sending it blindly again', async () => {
    const lease = backend()
    await lease.create(record('lock-1'))
    const name = nameOf(lease)
    const isPut = (request: { method: string; name?: string }): boolean => request.method === 'PUT' && request.name === name

    // Applied, then the connection dropped: the read-back finds this record, so it is a win, not a conflict.
    let current = (await lease.read())!
    server.failNext(1, { status: 'reset-after', match: isPut })
    const applied = { ...current.record, expires: new Date(Date.now() + 2_000).toISOString() }
    expect(await lease.replace(current.version, applied)).toBe(true)
    expect((await lease.read())?.record.expires).toBe(applied.expires)

    // Dropped before it was served: still at the version read, so it is sent again.
    current = (await lease.read())!
    const puts = server.requestsMatching(isPut).length
    server.failNext(1, { status: 'reset', match: isPut })
    const again = { ...current.record, expires: new Date(Date.now() + 2_500).toISOString() }
    expect(await lease.replace(current.version, again)).toBe(true)
    expect(server.requestsMatching(isPut).length).toBe(puts + 2)
    expect((await lease.read())?.record.expires).toBe(again.expires)

    // Applied, but another holder took the Lease before the read-back: lost.
    current = (await lease.read())!
    server.failNext(1, { status: 'reset-after', match: isPut })
    server.onRequest((request) => {
      if (request.method !== 'GET' || request.name !== name) return
      server.onRequest(undefined)
      server.editLease(NAMESPACE, name, (object) => (object.spec.holderIdentity = 'someone-else'))
    })
    expect(await lease.replace(current.version, { ...current.record, expires: new Date(Date.now() + 3_000).toISOString() })).toBe(false)
    expect((await lease.read())?.record.id).toBe('someone-else')
  })

  it('says in one line which verbs and namespace bf needs when RBAC refuses one', async () => {
    const lease = backend()
    await lease.create(record('lock-1'))
    const current = (await lease.read())!
    server.forbid('update', 'leases')
    try {
      const refused = await lease.replace(current.version, record('lock-1', 2)).catch((error: Error) => error)
      expect(refused).toMatchObject({ name: 'UserError' })
      expect((refused as Error).message).toBe(
        `forbidden: cannot update the ${lease.where}: bf's lock needs get, create, update and delete on leases (coordination.k8s.io) in namespace backfills`,
      )
    } finally {
      server.allow('update', 'leases')
    }
  })

  it('refuses a Lease edited by hand, or another plan\'s, in one line naming it', async () => {
    const lease = backend()
    await lease.create(record('lock-1'))
    const name = nameOf(lease)
    const problems: Array<[(object: { metadata: { annotations?: Record<string, string> }; spec?: Record<string, unknown> }) => void, string]> = [
      [(object) => delete object.metadata.annotations!['bf.dev/pid'], 'no annotation bf.dev/pid'],
      [(object) => (object.metadata.annotations!['bf.dev/pid'] = 'four'), 'annotation bf.dev/pid is "four", not a process id'],
      [(object) => (object.spec!.renewTime = 'yesterday'), 'spec.renewTime is "yesterday", not a time'],
      [(object) => delete object.spec!.holderIdentity, 'no spec.holderIdentity'],
      [(object) => delete object.metadata.annotations, 'no annotation bf.dev/plan'],
    ]
    for (const [edit, problem] of problems) {
      server.editLease(NAMESPACE, name, edit)
      const error = await lease.read().catch((caught: Error) => caught)
      expect(error).toMatchObject({ name: 'UserError' })
      expect((error as Error).message).toBe(`${lease.where} is not a bf lease (${problem}); if no bf runs on plan ${name.slice(3)}, delete it: kubectl delete lease ${name} -n backfills`)
      expect((error as Error).message).not.toContain('\n')
      server.store.remove('leases', NAMESPACE, name)
      await lease.create(record('lock-1'))
    }
    server.editLease(NAMESPACE, name, (object) => (object.metadata.annotations!['bf.dev/plan'] = 'other-plan'))
    await expect(lease.read()).rejects.toThrow(`${lease.where} belongs to plan other-plan, not ${name.slice(3)}`)
  })

  it('names a missing kubeconfig context in one line', () => {
    expect(() => openKubernetesLease({ context: 'nope', namespace: NAMESPACE, kubeconfig }, 'p')).toThrow('kubeconfig has no context "nope" (contexts: ops)')
  })
})
