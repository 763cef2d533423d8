import TinyQueue from 'tinyqueue'

/** A node of the graph to walk. Dependencies on ids that are not in the graph are ignored. */
export interface WalkNode {
  readonly id: string
  readonly dependsOn: readonly string[]
  /** Nodes of one lane are visited at most `limit(lane)` at a time. */
  readonly lane: string
}

/**
 * How a visit ended. `interrupted` leaves the node unfinished: its dependents neither
 * start nor are skipped (a later walk takes it up again).
 */
export type VisitOutcome = 'succeeded' | 'failed' | 'interrupted'

export interface WalkHooks<N extends WalkNode> {
  /** Most nodes of `lane` visited at once (`Infinity` for no bound). */
  limit(lane: string): number
  /**
   * Visits one node. Its dependents start only once the returned promise resolves. A
   * rejection is not a failed node but a broken walk: nothing more starts, the visits
   * under way are awaited, and `walk` rejects with that error. `release` frees the node's
   * place in its lane before the visit ends (once its work is over and only its
   * bookkeeping is left), so the lane's next node can start meanwhile; calling it again
   * does nothing.
   */
  visit(node: N, release: () => void): Promise<VisitOutcome>
  /** A node that will not be visited because `cause` failed; awaited, and a rejection breaks the walk too. */
  skip(node: N, cause: N): Promise<void>
}

/** Two-stage stop: `stopping` starts nothing new and waits for the visits under way; `aborted` returns at once. */
export interface WalkStop {
  stopping: AbortSignal
  aborted: AbortSignal
}

export interface WalkResult {
  succeeded: number
  failed: number
  skipped: number
  /** Nodes neither visited to an end nor skipped: the walk was stopped, or they wait on a cycle. */
  unfinished: number
  /** The walk ended because it was told to stop. */
  stopped: boolean
}

interface LaneQueue {
  lane: string
  limit: number
  running: number
  /** Ready nodes by their place in the graph's order: earlier nodes start first. */
  ready: TinyQueue<number>
}

/**
 * Visits every node once all its dependencies succeeded, at most `limit(lane)` at a time
 * in each lane, starting ready nodes in the order they were given. A failed node's
 * dependents are skipped, transitively; independent branches go on. Knows nothing of what
 * a node does: that is the hooks' business.
 */
export async function walk<N extends WalkNode>(nodes: readonly N[], hooks: WalkHooks<N>, stop: WalkStop): Promise<WalkResult> {
  const index = new Map<string, number>()
  nodes.forEach((node, i) => index.set(node.id, i))
  const waiting = nodes.map((node) => node.dependsOn.filter((id) => index.has(id)).length)
  const dependents: number[][] = nodes.map(() => [])
  nodes.forEach((node, i) => {
    for (const id of node.dependsOn) {
      const parent = index.get(id)
      if (parent !== undefined) dependents[parent]?.push(i)
    }
  })

  const lanes = new Map<string, LaneQueue>()
  const enqueue = (i: number): void => {
    const lane = (nodes[i] as N).lane
    let queue = lanes.get(lane)
    if (!queue) lanes.set(lane, (queue = { lane, limit: hooks.limit(lane), running: 0, ready: new TinyQueue<number>([], (a, b) => a - b) }))
    queue.ready.push(i)
  }

  const result: WalkResult = { succeeded: 0, failed: 0, skipped: 0, unfinished: 0, stopped: false }
  let finished = 0
  let active = 0
  let broken: { error: unknown } | undefined
  let wake: (() => void) | undefined
  const poke = (): void => wake?.()

  const skipDependents = async (i: number): Promise<void> => {
    const stack = [...(dependents[i] ?? [])]
    const seen = new Set<number>()
    while (stack.length > 0) {
      const child = stack.pop() as number
      if (seen.has(child)) continue
      seen.add(child)
      finished++
      result.skipped++
      await hooks.skip(nodes[child] as N, nodes[i] as N)
      stack.push(...(dependents[child] ?? []))
    }
  }

  const visit = async (i: number, release: () => void): Promise<void> => {
    const outcome = await hooks.visit(nodes[i] as N, release)
    if (outcome === 'interrupted') return
    finished++
    if (outcome === 'failed') {
      result.failed++
      await skipDependents(i)
      return
    }
    result.succeeded++
    for (const child of dependents[i] ?? []) {
      const left = (waiting[child] ?? 1) - 1
      waiting[child] = left
      if (left === 0) enqueue(child)
    }
  }

  const startReady = (): void => {
    for (const queue of lanes.values()) {
      while (queue.ready.length > 0 && queue.running < queue.limit) {
        const i = queue.ready.pop() as number
        queue.running++
        active++
        let released = false
        const release = (): void => {
          if (released) return
          released = true
          queue.running--
          poke()
        }
        visit(i, release)
          .catch((error: unknown) => {
            broken ??= { error }
          })
          .finally(() => {
            release()
            active--
            poke()
          })
      }
    }
  }

  nodes.forEach((_, i) => {
    if (waiting[i] === 0) enqueue(i)
  })
  stop.stopping.addEventListener('abort', poke)
  stop.aborted.addEventListener('abort', poke)
  try {
    while (finished < nodes.length) {
      if (stop.aborted.aborted) break
      if (!stop.stopping.aborted && !broken) startReady()
      if (active === 0) break
      await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    stop.stopping.removeEventListener('abort', poke)
    stop.aborted.removeEventListener('abort', poke)
  }
  if (broken) throw broken.error
  result.unfinished = nodes.length - finished
  result.stopped = stop.stopping.aborted || stop.aborted.aborted
  return result
}
