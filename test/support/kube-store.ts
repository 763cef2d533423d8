import { randomUUID } from 'node:crypto'

/** The resources the test API server keeps. */
export type Resource = 'cronjobs' | 'jobs' | 'pods' | 'leases'

/** A stored object: plain JSON as on the wire. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace: string
    uid: string
    resourceVersion: string
    creationTimestamp: string
    generation?: number
    labels?: Record<string, string>
    annotations?: Record<string, string>
    ownerReferences?: Array<Record<string, unknown>>
    deletionTimestamp?: string
    [key: string]: unknown
  }
  // Test objects are loose JSON: tests and the simulated controller reach into them freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoreEvent {
  type: EventType
  resource: Resource
  object: KubeObject
  resourceVersion: number
}

/**
 * Objects with one global resourceVersion counter (like etcd's revision), the history of
 * their changes for watches to replay, and compaction: a watch from a revision older than
 * the last compaction gets 410 Gone.
 */
export class KubeStore {
  private revision = 100
  private compactedBelow = 0
  private readonly objects = new Map<Resource, Map<string, KubeObject>>([
    ['cronjobs', new Map()],
    ['jobs', new Map()],
    ['pods', new Map()],
    ['leases', new Map()],
  ])
  private history: StoreEvent[] = []
  private readonly listeners = new Set<(event: StoreEvent) => void>()

  get resourceVersion(): string {
    return String(this.revision)
  }

  /** Stores a new object: uid, resourceVersion and creationTimestamp are set here. */
  create(resource: Resource, object: Omit<KubeObject, 'metadata'> & { metadata: Partial<KubeObject['metadata']> & { name: string; namespace: string } }): KubeObject {
    const stored = clone(object) as KubeObject
    stored.metadata.uid ??= randomUUID()
    stored.metadata.creationTimestamp ??= new Date().toISOString()
    stored.metadata.resourceVersion = String(++this.revision)
    this.map(resource).set(key(stored.metadata.namespace, stored.metadata.name), stored)
    this.emit('ADDED', resource, stored)
    return clone(stored)
  }

  get(resource: Resource, namespace: string, name: string): KubeObject | undefined {
    const found = this.map(resource).get(key(namespace, name))
    return found ? clone(found) : undefined
  }

  list(resource: Resource, namespace?: string): KubeObject[] {
    return [...this.map(resource).values()].filter((object) => namespace === undefined || object.metadata.namespace === namespace).map(clone)
  }

  /** Changes an object in place through `change`; undefined when it does not exist. */
  update(resource: Resource, namespace: string, name: string, change: (object: KubeObject) => void): KubeObject | undefined {
    const stored = this.map(resource).get(key(namespace, name))
    if (!stored) return undefined
    change(stored)
    stored.metadata.resourceVersion = String(++this.revision)
    this.emit('MODIFIED', resource, stored)
    return clone(stored)
  }

  remove(resource: Resource, namespace: string, name: string): KubeObject | undefined {
    const map = this.map(resource)
    const stored = map.get(key(namespace, name))
    if (!stored) return undefined
    map.delete(key(namespace, name))
    stored.metadata.resourceVersion = String(++this.revision)
    this.emit('DELETED', resource, stored)
    return clone(stored)
  }

  /** Whether the history from `resourceVersion` on was compacted away (a watch or list from it gets 410). */
  compactedAt(resourceVersion: number): boolean {
    return resourceVersion < this.compactedBelow
  }

  /** Events after `resourceVersion`, or 'gone' when that revision was compacted away. */
  eventsSince(resource: Resource, resourceVersion: number): StoreEvent[] | 'gone' {
    if (this.compactedAt(resourceVersion)) return 'gone'
    return this.history.filter((event) => event.resource === resource && event.resourceVersion > resourceVersion)
  }

  /** Forgets the history: watches from any earlier revision now get 410 Gone. */
  compact(): void {
    this.compactedBelow = this.revision
    this.history = []
  }

  /** Calls `listener` with every change from now on; returns the unsubscribe. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(type: EventType, resource: Resource, object: KubeObject): void {
    const event: StoreEvent = { type, resource, object: clone(object), resourceVersion: this.revision }
    this.history.push(event)
    for (const listener of this.listeners) listener(event)
  }

  private map(resource: Resource): Map<string, KubeObject> {
    return this.objects.get(resource)!
  }
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`
}
