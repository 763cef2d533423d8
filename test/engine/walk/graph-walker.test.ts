import { describe, expect, it } from 'vitest'
import { walk } from '../../../src/engine/walk/graph-walker.js'
import type { VisitOutcome, WalkHooks, WalkNode, WalkStop } from '../../../src/engine/walk/graph-walker.js'

const node = (id: string, dependsOn: string[] = [], lane = 'a'): WalkNode => ({ id, dependsOn, lane })
const never = (): WalkStop => ({ stopping: new AbortController().signal, aborted: new AbortController().signal })

/** A visit that ends when the test says so: the walk's concurrency is then observed, not timed. */
interface Gate {
  started: string[]
  running: Set<string>
  peak: Map<string, number>
  finish(id: string, outcome?: VisitOutcome): void
  /** Resolves once `id` has started (or at once if it already has). */
  whenStarted(id: string): Promise<void>
  hooks(limits: Record<string, number>): WalkHooks<WalkNode>
  skipped: string[]
}

function gate(): Gate {
  const pending = new Map<string, (outcome: VisitOutcome) => void>()
  const early = new Map<string, VisitOutcome>()
  const waiters = new Map<string, (() => void)[]>()
  const self: Gate = {
    started: [],
    running: new Set(),
    peak: new Map(),
    skipped: [],
    finish(id, outcome = 'succeeded') {
      const resolve = pending.get(id)
      if (resolve) resolve(outcome)
      else early.set(id, outcome)
    },
    whenStarted(id) {
      if (self.started.includes(id)) return Promise.resolve()
      return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]))
    },
    hooks(limits) {
      return {
        limit: (lane) => limits[lane] ?? Infinity,
        visit: (visited) =>
          new Promise<VisitOutcome>((resolve) => {
            self.started.push(visited.id)
            self.running.add(visited.id)
            const inLane = [...self.running].filter((id) => id.startsWith(visited.lane)).length
            self.peak.set(visited.lane, Math.max(self.peak.get(visited.lane) ?? 0, inLane))
            const done = (outcome: VisitOutcome): void => {
              self.running.delete(visited.id)
              resolve(outcome)
            }
            const known = early.get(visited.id)
            if (known) done(known)
            else pending.set(visited.id, done)
            for (const wake of waiters.get(visited.id) ?? []) wake()
          }),
        skip: async (skippedNode) => {
          self.skipped.push(skippedNode.id)
        },
      }
    },
  }
  return self
}

/** Succeeds every node at once, recording the order of visits. */
function instant(outcomes: Record<string, VisitOutcome> = {}): { order: string[]; skipped: string[]; hooks: WalkHooks<WalkNode> } {
  const order: string[] = []
  const skipped: string[] = []
  return {
    order,
    skipped,
    hooks: {
      limit: () => 1,
      visit: async (visited) => {
        order.push(visited.id)
        return outcomes[visited.id] ?? 'succeeded'
      },
      skip: async (skippedNode) => {
        skipped.push(skippedNode.id)
      },
    },
  }
}

describe('walk', () => {
  it('visits a node only after all its dependencies, ready nodes in the order given', async () => {
    const nodes = [node('c', ['a', 'b']), node('a'), node('b'), node('d', ['c']), node('e')]
    const run = instant()
    const result = await walk(nodes, run.hooks, never())
    // One at a time: c and d, ready later, still start before e, which comes after them.
    expect(run.order).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(result).toEqual({ succeeded: 5, failed: 0, skipped: 0, unfinished: 0, stopped: false })
  })

  it('never exceeds a lane limit, and lanes do not hold each other up', async () => {
    const nodes = [...['j1', 'j2', 'j3', 'j4', 'j5'].map((id) => node(id, [], 'j')), node('d1', [], 'd'), node('d2', [], 'd')]
    const g = gate()
    const walking = walk(nodes, g.hooks({ j: 2, d: 1 }), never())
    await Promise.all([g.whenStarted('j1'), g.whenStarted('j2'), g.whenStarted('d1')])
    expect([...g.running].sort()).toEqual(['d1', 'j1', 'j2'])
    g.finish('j1')
    await g.whenStarted('j3')
    expect(g.started).not.toContain('d2')
    g.finish('d1')
    await g.whenStarted('d2')
    for (const id of ['j2', 'j3', 'd2']) g.finish(id)
    await g.whenStarted('j5')
    for (const id of ['j4', 'j5']) g.finish(id)
    const result = await walking
    expect(result.succeeded).toBe(7)
    expect(g.peak.get('j')).toBe(2)
    expect(g.peak.get('d')).toBe(1)
  })

  it('skips every dependent of a failed node, transitively, once each, and goes on with the rest', async () => {
    const nodes = [node('a'), node('b', ['a']), node('c', ['b']), node('d', ['a', 'b']), node('x'), node('y', ['x'])]
    const run = instant({ a: 'failed' })
    const result = await walk(nodes, run.hooks, never())
    expect(run.order).toEqual(['a', 'x', 'y'])
    expect(run.skipped.sort()).toEqual(['b', 'c', 'd'])
    expect(result).toEqual({ succeeded: 2, failed: 1, skipped: 3, unfinished: 0, stopped: false })
  })

  it('on stopping starts nothing new, lets the visits under way end, and counts the rest unfinished', async () => {
    const stopping = new AbortController()
    const nodes = [node('a'), node('b'), node('c', ['a'])]
    const g = gate()
    const walking = walk(nodes, g.hooks({ a: 1 }), { stopping: stopping.signal, aborted: new AbortController().signal })
    await g.whenStarted('a')
    stopping.abort()
    g.finish('a')
    const result = await walking
    expect(g.started).toEqual(['a'])
    expect(result).toEqual({ succeeded: 1, failed: 0, skipped: 0, unfinished: 2, stopped: true })
  })

  it('leaves an interrupted node and its dependents unfinished, neither failed nor skipped', async () => {
    const nodes = [node('a'), node('b', ['a'])]
    const run = instant({ a: 'interrupted' })
    const result = await walk(nodes, run.hooks, never())
    expect(run.skipped).toEqual([])
    expect(result).toEqual({ succeeded: 0, failed: 0, skipped: 0, unfinished: 2, stopped: false })
  })

  it('on abort returns at once, without waiting for the visits under way', async () => {
    const aborted = new AbortController()
    const g = gate()
    const walking = walk([node('a'), node('b')], g.hooks({ a: 2 }), { stopping: new AbortController().signal, aborted: aborted.signal })
    await g.whenStarted('b')
    aborted.abort()
    const result = await walking
    expect(result.stopped).toBe(true)
    expect(result.unfinished).toBe(2)
    expect(g.running.size).toBe(2)
  })

  it('rejects with the error of a visit that throws, after the visits under way end, and starts nothing more', async () => {
    const nodes = [node('a'), node('b'), node('c', ['b']), node('d')]
    const g = gate()
    const hooks = g.hooks({ a: 2 })
    const broken = new Error('the state could not be written')
    const walking = walk(nodes, { ...hooks, visit: (visited, release) => (visited.id === 'a' ? Promise.reject(broken) : hooks.visit(visited, release)) }, never())
    await g.whenStarted('b')
    let settled = false
    void walking.catch(() => (settled = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    g.finish('b')
    await expect(walking).rejects.toBe(broken)
    expect(g.started).toEqual(['b'])
  })

  it('ends, with the nodes of a cycle unfinished', async () => {
    const run = instant()
    const result = await walk([node('a', ['b']), node('b', ['a']), node('c')], run.hooks, never())
    expect(run.order).toEqual(['c'])
    expect(result.unfinished).toBe(2)
  })

  it('starts the lane\'s next node once a visit gives its place back, and the visit\'s dependents only once it ends', async () => {
    const started: string[] = []
    const ends = new Map<string, () => void>()
    const nodes = [node('j1', [], 'j'), node('j2', [], 'j'), node('j3', [], 'j'), node('v1', ['j1'], 'v')]
    const walking = walk(
      nodes,
      {
        limit: (lane) => (lane === 'j' ? 1 : Infinity),
        visit: (visited, release) => {
          started.push(visited.id)
          if (visited.lane === 'v') return Promise.resolve('succeeded')
          // j1's work is over, only its bookkeeping (ended by the test) is left; a second release changes nothing.
          if (visited.id === 'j1') {
            release()
            release()
          }
          return new Promise<VisitOutcome>((resolve) => ends.set(visited.id, () => resolve('succeeded')))
        },
        skip: async () => {},
      },
      never(),
    )
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
    await turn()
    expect(started).toEqual(['j1', 'j2'])
    ends.get('j1')?.()
    await turn()
    expect(started).toEqual(['j1', 'j2', 'v1'])
    ends.get('j2')?.()
    await turn()
    expect(started).toEqual(['j1', 'j2', 'v1', 'j3'])
    ends.get('j3')?.()
    expect(await walking).toEqual({ succeeded: 4, failed: 0, skipped: 0, unfinished: 0, stopped: false })
  })
})
