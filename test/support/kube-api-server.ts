import { mkdtemp, writeFile } from 'node:fs/promises'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { JobRunningHook, JobScript } from './kube-job-controller.js'
import { SimulatedJobController, containerNames, logKey } from './kube-job-controller.js'
import { validateJob, withJobDefaults } from './kube-job-rules.js'
import { serveLease } from './kube-leases.js'
import type { Route } from './kube-routes.js'
import { forbiddenStatus, parseJson, parseRoute, readBody, verbOf } from './kube-routes.js'
import { SelectorError, parseFieldSelector, parseLabelSelector } from './kube-selectors.js'
import type { StatusBody } from './kube-status.js'
import { failure, success } from './kube-status.js'
import type { KubeObject, Resource, StoreEvent } from './kube-store.js'
import { KubeStore, clone } from './kube-store.js'

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  /** RBAC verb: get, list, watch, create, delete, … */
  verb: string
  /** `jobs`, `jobs/status`, `cronjobs`, `pods`, `pods/log`, `selfsubjectaccessreviews` */
  resource: string
  namespace?: string
  name?: string
  body?: unknown
  /** When it arrived (epoch ms). */
  at: number
}

export type RequestMatch = (request: RecordedRequest) => boolean

/** A fault injected into the next matching requests. */
export interface Fault {
  /**
   * HTTP status to answer with (500, 503, 429…); `reset` drops the connection before
   * serving the request, `reset-after` serves it and drops the connection instead of answering.
   */
  status: number | 'reset' | 'reset-after'
  retryAfterSeconds?: number
  match?: RequestMatch
}

export interface KubeApiServerOptions {
  token?: string
  /** Interval of BOOKMARK events on watches that allow them; 0 for none. Default 0. */
  bookmarkIntervalMs?: number
}

/**
 * A Kubernetes API server for tests, spoken to by the real `@kubernetes/client-node` through
 * a kubeconfig: the REST paths and shapes bf uses, watches streaming one JSON event per
 * line, `kind: Status` errors, RBAC refusals, and a simulated Job controller. Tests inject
 * faults (5xx, 429 with Retry-After, dropped connections and watches, 410 Gone) and read
 * every request back.
 */
export class KubeApiServer {
  readonly store = new KubeStore()
  readonly requests: RecordedRequest[] = []
  /** The resourceVersion of every BOOKMARK event sent, in order. */
  readonly bookmarksSent: number[] = []
  readonly controller: SimulatedJobController
  private readonly logs = new Map<string, string>()
  private readonly faults: Array<Fault & { remaining: number }> = []
  private readonly forbidden = new Set<string>()
  private readonly watches = new Set<ServerResponse>()
  private goneWatches = 0
  private requestHook: ((request: RecordedRequest) => void) | undefined
  /** The most watch streams open at once so far. */
  maxOpenWatches = 0
  private server?: Server
  readonly token: string
  private readonly bookmarkIntervalMs: number
  url = ''

  constructor(options: KubeApiServerOptions = {}) {
    this.token = options.token ?? 'bf-test-token'
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 0
    this.controller = new SimulatedJobController(this.store, this.logs)
  }

  async listen(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) this.sendStatus(response, failure(500, error instanceof Error ? error.message : String(error)))
        else response.destroy()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.server = server
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.destroy()
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Writes a kubeconfig for this server (plain HTTP: `insecure-skip-tls-verify`) and returns its path. */
  async writeKubeconfig(options: { contexts?: string[]; namespace?: string } = {}): Promise<string> {
    const contexts = options.contexts ?? ['test']
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bf-test', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'bf-test-user', user: { token: this.token } }],
      contexts: contexts.map((name) => ({ name, context: { cluster: 'bf-test', user: 'bf-test-user', ...(options.namespace ? { namespace: options.namespace } : {}) } })),
      'current-context': contexts[0],
    }
    const dir = await mkdtemp(join(tmpdir(), 'bf-kubeconfig-'))
    const path = join(dir, 'config')
    await writeFile(path, stringify(config))
    return path
  }

  // ---- objects

  addCronJob(cronJob: Omit<KubeObject, 'metadata'> & { metadata: { name: string; namespace: string } & Partial<KubeObject['metadata']> }): KubeObject {
    return this.store.create('cronjobs', { apiVersion: 'batch/v1', kind: 'CronJob', ...cronJob })
  }

  /** Stores a Job (a manifest, e.g. a V1Job) as if someone created it; the controller runs it unless `run` is false. */
  addJob(job: { metadata?: object; spec?: unknown }, run = true): KubeObject {
    const metadata = job.metadata as Partial<KubeObject['metadata']> | undefined
    if (!metadata?.name || !metadata.namespace) throw new Error('addJob: metadata.name and metadata.namespace are required')
    const stored = this.store.create('jobs', withJobDefaults({ apiVersion: 'batch/v1', kind: 'Job', ...job, metadata: { ...metadata, name: metadata.name, namespace: metadata.namespace } }))
    if (run) this.controller.start(stored)
    return stored
  }

  job(namespace: string, name: string): KubeObject | undefined {
    return this.store.get('jobs', namespace, name)
  }

  jobs(namespace?: string): KubeObject[] {
    return this.store.list('jobs', namespace)
  }

  pods(namespace?: string): KubeObject[] {
    return this.store.list('pods', namespace)
  }

  podLog(pod: KubeObject, container: string): string | undefined {
    return this.logs.get(logKey(pod, container))
  }

  /** A Lease as stored (`coordination.k8s.io/v1`). */
  lease(namespace: string, name: string): KubeObject | undefined {
    return this.store.get('leases', namespace, name)
  }

  /** Changes a Lease as someone else would (`kubectl edit`, another holder): its resourceVersion moves on. */
  editLease(namespace: string, name: string, change: (lease: KubeObject) => void): KubeObject | undefined {
    return this.store.update('leases', namespace, name, change)
  }

  // ---- the simulated controller

  /** Decides what each new Job does (see JobScript); undefined falls back to the Job's env. */
  setJobScript(script: (job: KubeObject) => JobScript | undefined): void {
    this.controller.script = script
  }

  onJobRunning(hook: JobRunningHook | undefined): void {
    this.controller.onJobRunning = hook
  }

  finishJob(namespace: string, name: string, outcome: 'complete' | 'fail'): void {
    this.controller.finish(namespace, name, outcome)
  }

  /** Deletes a Job (and its pods) as someone else would, behind bf's back. */
  deleteJob(namespace: string, name: string): void {
    const job = this.store.remove('jobs', namespace, name)
    if (job) for (const pod of this.controller.podsOf(job)) this.store.remove('pods', namespace, pod.metadata.name)
  }

  // ---- faults

  /** Calls `hook` with each request as it arrives, before it is served: a test acts between two requests of bf's. */
  onRequest(hook: ((request: RecordedRequest) => void) | undefined): void {
    this.requestHook = hook
  }

  /** Answers the next `count` matching requests with `fault` instead of serving them. */
  failNext(count: number, fault: Fault): void {
    this.faults.push({ ...fault, remaining: count })
  }

  /** Refuses a verb on a resource (`get`, `cronjobs`) with 403, in requests and access reviews. */
  forbid(verb: string, resource: string): void {
    this.forbidden.add(`${verb} ${resource}`)
  }

  /** Allows again what `forbid` refused. */
  allow(verb: string, resource: string): void {
    this.forbidden.delete(`${verb} ${resource}`)
  }

  /** The next `count` watches get an ERROR event with 410 Gone instead of events. */
  goneOnNextWatch(count = 1): void {
    this.goneWatches += count
  }

  /** Forgets the change history: a watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.store.compact()
  }

  /** Ends every open watch: cleanly by default, or by destroying the connection. */
  dropWatches(how: 'end' | 'destroy' = 'end'): number {
    const count = this.watches.size
    for (const watch of this.watches) {
      if (how === 'end') watch.end()
      else watch.destroy()
    }
    this.watches.clear()
    return count
  }

  get openWatches(): number {
    return this.watches.size
  }

  requestsMatching(match: RequestMatch): RecordedRequest[] {
    return this.requests.filter(match)
  }

  /** How many requests came per verb and resource (`list jobs`, `create jobs`, `get cronjobs`…). */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const request of this.requests) counts[`${request.verb} ${request.resource}`] = (counts[`${request.verb} ${request.resource}`] ?? 0) + 1
    return counts
  }

  /** Resolves once `check` returns a value, polling every 5 ms. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined && value !== false) return value
      if (Date.now() > until) throw new Error('waitFor: timed out')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  // ---- HTTP

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const method = request.method ?? 'GET'
    const text = await readBody(request)
    const route = parseRoute(url.pathname)
    const query = Object.fromEntries(url.searchParams)
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      verb: route ? verbOf(method, route, query) : method.toLowerCase(),
      resource: route ? (route.subresource ? `${route.resource}/${route.subresource}` : route.resource) : url.pathname,
      ...(route?.namespace ? { namespace: route.namespace } : {}),
      ...(route?.name ? { name: route.name } : {}),
      ...(text ? { body: parseJson(text) } : {}),
      at: Date.now(),
    }
    this.requests.push(recorded)
    this.requestHook?.(recorded)

    if (request.headers.authorization !== `Bearer ${this.token}`) return this.sendStatus(response, failure(401, 'Unauthorized'))
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && (candidate.match?.(recorded) ?? true))
    if (fault) {
      fault.remaining--
      if (fault.status === 'reset') {
        request.socket.destroy()
        return
      }
      if (fault.status === 'reset-after') {
        response.writeHead = (() => response) as unknown as ServerResponse['writeHead']
        response.end = (() => {
          request.socket.destroy()
          return response
        }) as unknown as ServerResponse['end']
        return this.serve(route ?? { group: 'core', resource: '' }, recorded, request, response)
      }
      const headers = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : undefined
      const details = fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined
      return this.sendStatus(response, failure(fault.status, `injected ${fault.status}`, details), headers)
    }
    if (!route) return this.sendStatus(response, failure(404, 'the server could not find the requested resource'))
    if (this.forbidden.has(`${recorded.verb} ${recorded.resource}`)) return this.sendStatus(response, forbiddenStatus(recorded, route))

    try {
      await this.serve(route, recorded, request, response)
    } catch (error) {
      if (error instanceof SelectorError) return this.sendStatus(response, failure(400, error.message))
      throw error
    }
  }

  private async serve(route: Route, recorded: RecordedRequest, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { verb, query } = recorded
    const namespace = route.namespace ?? 'default'
    if (route.group === 'authorization' && route.resource === 'selfsubjectaccessreviews' && verb === 'create') {
      return this.accessReview(recorded, response)
    }
    if (route.group === 'coordination' && route.resource === 'leases' && !route.subresource && verb !== 'watch') {
      const answer = serveLease(this.store, verb, namespace, route.name, recorded.body)
      return this.sendJson(response, answer.code, answer.body)
    }
    const resource = route.resource as Resource
    const kind = { cronjobs: 'CronJob', jobs: 'Job', pods: 'Pod', leases: 'Lease' }[resource]
    const known = (route.group === 'batch' && (resource === 'cronjobs' || resource === 'jobs')) || (route.group === 'core' && resource === 'pods')
    if (!kind || !known) return this.sendStatus(response, failure(404, 'the server could not find the requested resource'))
    const group = route.group === 'batch' ? 'batch' : ''
    const qualified = group ? `${resource}.${group}` : resource
    const notFound = (name: string): void => this.sendStatus(response, failure(404, `${qualified} "${name}" not found`, { name, group, kind: resource }))

    if (verb === 'watch') return this.watch(resource, namespace, query, request, response)
    if (verb === 'list') {
      // A list at a resourceVersion: the current state serves any not newer than it; one compacted away is gone.
      const at = query.resourceVersion && query.resourceVersion !== '0' ? Number(query.resourceVersion) : undefined
      if (at !== undefined && this.store.compactedAt(at)) {
        return this.sendStatus(response, failure(410, `too old resource version: ${at} (${this.store.resourceVersion})`, undefined, 'Expired'))
      }
      if (at !== undefined && at > Number(this.store.resourceVersion)) {
        return this.sendStatus(response, failure(504, `Timeout: Too large resource version: ${at}, current: ${this.store.resourceVersion}`, undefined, 'Timeout'))
      }
      const labels = parseLabelSelector(query.labelSelector)
      const fields = parseFieldSelector(query.fieldSelector)
      const items = this.store
        .list(resource, namespace)
        .filter((object) => labels(object.metadata.labels) && fields(object))
        .map(({ apiVersion: _apiVersion, kind: _kind, ...item }) => item)
      return this.sendJson(response, 200, { kind: `${kind}List`, apiVersion: group ? `${group}/v1` : 'v1', metadata: { resourceVersion: this.store.resourceVersion }, items })
    }
    if (verb === 'create' && resource === 'jobs') return this.createJob(namespace, recorded, response)
    if (!route.name) return this.sendStatus(response, failure(405, `${verb} is not supported on ${qualified}`))

    const found = this.store.get(resource, namespace, route.name)
    if (!found) return notFound(route.name)
    if (verb === 'get' && route.subresource === 'log' && resource === 'pods') return this.podLogResponse(found, query, response)
    if (verb === 'get' && (!route.subresource || route.subresource === 'status')) return this.sendJson(response, 200, found)
    if (verb === 'delete' && resource === 'jobs') {
      const body = recorded.body as { propagationPolicy?: string } | undefined
      const policy = query.propagationPolicy ?? body?.propagationPolicy ?? 'Orphan'
      if (query.dryRun !== 'All') {
        this.store.remove('jobs', namespace, route.name)
        for (const pod of this.controller.podsOf(found)) {
          if (policy === 'Orphan') this.store.update('pods', namespace, pod.metadata.name, (stored) => delete stored.metadata.ownerReferences)
          else this.store.remove('pods', namespace, pod.metadata.name)
        }
      }
      return this.sendJson(response, 200, success({ name: route.name, group: 'batch', kind: 'jobs', uid: found.metadata.uid }))
    }
    return this.sendStatus(response, failure(405, `${verb} is not supported on ${qualified}`))
  }

  private createJob(namespace: string, recorded: RecordedRequest, response: ServerResponse): void {
    const body = recorded.body as KubeObject | undefined
    if (!body || typeof body !== 'object') return this.sendStatus(response, failure(400, 'the body of the request was in an unknown format'))
    if (body.kind !== 'Job' || body.apiVersion !== 'batch/v1') return this.sendStatus(response, failure(400, `the API version in the data (${body.apiVersion}) does not match the expected API version (batch/v1)`))
    const name = body.metadata?.name ?? ''
    if (body.metadata?.namespace && body.metadata.namespace !== namespace) {
      return this.sendStatus(response, failure(400, 'the namespace of the provided object does not match the namespace sent on the request'))
    }
    const invalid = validateJob(body)
    if (invalid.length > 0) {
      const causes = invalid.map(([field, message]) => ({ reason: 'FieldValueInvalid', message, field }))
      const message = `Job.batch "${name}" is invalid: ${invalid.map(([field, text]) => `${field}: ${text}`).join(', ')}`
      return this.sendStatus(response, failure(422, message, { name, group: 'batch', kind: 'Job', causes }))
    }
    if (this.store.get('jobs', namespace, name)) {
      return this.sendStatus(response, failure(409, `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' }))
    }
    const job = withJobDefaults({ ...clone(body), metadata: { ...body.metadata, namespace } })
    if (recorded.query.dryRun === 'All') return this.sendJson(response, 201, { ...job, metadata: { ...job.metadata, creationTimestamp: new Date().toISOString() } })
    const stored = this.store.create('jobs', job)
    this.controller.start(stored)
    this.sendJson(response, 201, stored)
  }

  private podLogResponse(pod: KubeObject, query: Record<string, string>, response: ServerResponse): void {
    const containers: string[] = (pod.spec?.containers ?? []).map((container: { name: string }) => container.name)
    const container = query.container ?? (containers.length === 1 ? containers[0] : undefined)
    if (!container) {
      return this.sendStatus(response, failure(400, `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`))
    }
    if (!containerNames(pod).includes(container)) {
      return this.sendStatus(response, failure(400, `container ${container} is not valid for pod ${pod.metadata.name}`))
    }
    const text = this.logs.get(logKey(pod, container))
    if (text === undefined) {
      return this.sendStatus(response, failure(400, `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`))
    }
    const lines = text.split('\n')
    if (lines.at(-1) === '') lines.pop()
    const tail = query.tailLines ? lines.slice(-Number(query.tailLines)) : lines
    response.writeHead(200, { 'Content-Type': 'text/plain' })
    response.end(tail.map((line) => `${line}\n`).join(''))
  }

  private accessReview(recorded: RecordedRequest, response: ServerResponse): void {
    const body = recorded.body as { spec?: { resourceAttributes?: { verb?: string; resource?: string; subresource?: string } } } | undefined
    const attributes = body?.spec?.resourceAttributes ?? {}
    const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : (attributes.resource ?? '')
    const allowed = !this.forbidden.has(`${attributes.verb} ${resource}`)
    this.sendJson(response, 201, { ...(body as object), status: { allowed, ...(allowed ? {} : { reason: 'no RBAC policy matched' }) } })
  }

  private watch(resource: Resource, namespace: string, query: Record<string, string>, request: IncomingMessage, response: ServerResponse): void {
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector)
    const matches = (event: StoreEvent): boolean =>
      event.resource === resource && event.object.metadata.namespace === namespace && labels(event.object.metadata.labels) && fields(event.object)
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' })
    const send = (type: string, object: unknown): void => {
      if (!response.writableEnded && !response.destroyed) response.write(`${JSON.stringify({ type, object })}\n`)
    }
    const gone = (): void => {
      send('ERROR', failure(410, `too old resource version: ${query.resourceVersion ?? ''} (${this.store.resourceVersion})`, undefined, 'Expired'))
      response.end()
    }
    if (this.goneWatches > 0) {
      this.goneWatches--
      return gone()
    }
    const from = query.resourceVersion && query.resourceVersion !== '0' ? Number(query.resourceVersion) : undefined
    if (from === undefined) {
      for (const object of this.store.list(resource, namespace)) if (matches({ type: 'ADDED', resource, object, resourceVersion: 0 })) send('ADDED', object)
    } else {
      const past = this.store.eventsSince(resource, from)
      if (past === 'gone') return gone()
      for (const event of past) if (matches(event)) send(event.type, event.object)
    }
    this.watches.add(response)
    this.maxOpenWatches = Math.max(this.maxOpenWatches, this.watches.size)
    const unsubscribe = this.store.subscribe((event) => {
      if (matches(event)) send(event.type, event.object)
    })
    const timers: NodeJS.Timeout[] = []
    if (query.allowWatchBookmarks === 'true' && this.bookmarkIntervalMs > 0) {
      const kind = { cronjobs: 'CronJob', jobs: 'Job', pods: 'Pod', leases: 'Lease' }[resource]
      timers.push(
        setInterval(() => {
          if (response.writableEnded || response.destroyed) return
          send('BOOKMARK', { kind, apiVersion: resource === 'pods' ? 'v1' : 'batch/v1', metadata: { resourceVersion: this.store.resourceVersion } })
          this.bookmarksSent.push(Number(this.store.resourceVersion))
        }, this.bookmarkIntervalMs),
      )
    }
    if (query.timeoutSeconds) timers.push(setTimeout(() => response.end(), Number(query.timeoutSeconds) * 1000))
    const cleanup = (): void => {
      unsubscribe()
      for (const timer of timers) clearTimeout(timer)
      this.watches.delete(response)
    }
    response.on('finish', cleanup)
    response.on('close', cleanup)
    request.on('close', cleanup)
  }

  private sendStatus(response: ServerResponse, status: StatusBody, headers?: Record<string, string>): void {
    this.sendJson(response, status.code, status, headers)
  }

  private sendJson(response: ServerResponse, code: number, body: unknown, headers?: Record<string, string>): void {
    response.writeHead(code, { 'Content-Type': 'application/json', ...headers })
    response.end(JSON.stringify(body))
  }
}

/** Starts a server on a free local port. */
export function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  return new KubeApiServer(options).listen()
}
