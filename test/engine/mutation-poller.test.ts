import { afterEach, describe, expect, it, vi } from 'vitest'
import { MutationPoller } from '../../src/engine/mutation-poller.js'
import type { MutationLookup, MutationStatus } from '../../src/warehouse/warehouse.js'
import { deleteRequest } from '../warehouse/fixtures.js'

const lookup = (customer: string): MutationLookup => ({ request: deleteRequest({ customer, tag: `bf-${customer}` }), since: 0 })

/** A status whose only host is named after the customer, so each answer shows whose it is. */
const statusOf = (found: MutationLookup): MutationStatus => ({
  replicas: 1,
  done: true,
  hosts: [{ host: String(found.request.customer), mutationId: 'm', isDone: true, partsToDo: 0 }],
})

/** `findMutations` of a server that answers each poll only when told to. */
function heldServer() {
  const polls: { lookups: MutationLookup[]; answer(): void; fail(error: Error): void }[] = []
  const findMutations = (lookups: readonly MutationLookup[]) =>
    new Promise<(MutationStatus | undefined)[]>((resolve, reject) => {
      polls.push({ lookups: [...lookups], answer: () => resolve(lookups.map(statusOf)), fail: reject })
    })
  return { polls, findMutations }
}

const hostOf = (outcome: unknown) => (outcome as { status: MutationStatus }).status.hosts[0]?.host

afterEach(() => {
  vi.useRealTimers()
})

describe('MutationPoller', () => {
  it('answers every await due together with one query, each with its own status', async () => {
    const server = heldServer()
    const poller = new MutationPoller(server)
    const never = new AbortController().signal
    const answers = Promise.all(['a', 'b', 'c'].map((customer) => poller.next(lookup(customer), 0, never)))
    await vi.waitFor(() => expect(server.polls).toHaveLength(1))
    expect(server.polls[0]!.lookups.map((one) => one.request.customer)).toEqual(['a', 'b', 'c'])
    server.polls[0]!.answer()
    expect((await answers).map(hostOf)).toEqual(['a', 'b', 'c'])
    expect(server.polls).toHaveLength(1)
  })

  it('answers an await due later with the poll an earlier one asks for', async () => {
    vi.useFakeTimers()
    const server = heldServer()
    const poller = new MutationPoller(server)
    const never = new AbortController().signal
    const late = poller.next(lookup('late'), 60_000, never)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(server.polls).toHaveLength(0)
    const soon = poller.next(lookup('soon'), 50, never)
    await vi.advanceTimersByTimeAsync(50)
    expect(server.polls).toHaveLength(1)
    expect(server.polls[0]!.lookups.map((one) => one.request.customer)).toEqual(['late', 'soon'])
    server.polls[0]!.answer()
    expect([hostOf(await late), hostOf(await soon)]).toEqual(['late', 'soon'])
  })

  it('waits for the soonest await that is due, then polls', async () => {
    vi.useFakeTimers()
    const server = heldServer()
    const poller = new MutationPoller(server)
    const never = new AbortController().signal
    const answer = poller.next(lookup('a'), 2_000, never)
    await vi.advanceTimersByTimeAsync(1_999)
    expect(server.polls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.polls).toHaveLength(1)
    server.polls[0]!.answer()
    expect(hostOf(await answer)).toBe('a')
  })

  it('sends awaits that come while a poll is out in the next poll', async () => {
    const server = heldServer()
    const poller = new MutationPoller(server)
    const never = new AbortController().signal
    const first = poller.next(lookup('a'), 0, never)
    await vi.waitFor(() => expect(server.polls).toHaveLength(1))
    const second = poller.next(lookup('b'), 0, never)
    server.polls[0]!.answer()
    expect(hostOf(await first)).toBe('a')
    await vi.waitFor(() => expect(server.polls).toHaveLength(2))
    expect(server.polls[1]!.lookups.map((one) => one.request.customer)).toEqual(['b'])
    server.polls[1]!.answer()
    expect(hostOf(await second)).toBe('b')
  })

  it('hands a failed poll to every await of it, and polls again for the next asks', async () => {
    const server = heldServer()
    const poller = new MutationPoller(server)
    const never = new AbortController().signal
    const answers = Promise.all([poller.next(lookup('a'), 0, never), poller.next(lookup('b'), 0, never)])
    await vi.waitFor(() => expect(server.polls).toHaveLength(1))
    const refused = new Error('connection refused')
    server.polls[0]!.fail(refused)
    expect(await answers).toEqual([{ error: refused }, { error: refused }])
    const again = poller.next(lookup('a'), 0, never)
    await vi.waitFor(() => expect(server.polls).toHaveLength(2))
    server.polls[1]!.answer()
    expect(hostOf(await again)).toBe('a')
  })

  it('answers a stopped await at once, and sends nothing when nobody is left waiting', async () => {
    vi.useFakeTimers()
    const server = heldServer()
    const poller = new MutationPoller(server)
    const stop = new AbortController()
    const answer = poller.next(lookup('a'), 60_000, stop.signal)
    await vi.advanceTimersByTimeAsync(10)
    stop.abort()
    expect(await answer).toEqual({ stopped: true })
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(server.polls).toHaveLength(0)
    expect(await poller.next(lookup('b'), 0, stop.signal)).toEqual({ stopped: true })
  })
})
