import { createServer, request as httpRequest } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readBody } from './clickhouse-http-wire.js'

/** A request as the proxy received it, whole. */
export interface SeenRequest {
  method: string
  /** Path and query string. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export type RequestMatch = (request: SeenRequest) => boolean

/**
 * What happens to a matching request:
 * - `pass`: nothing (the rule is there for its `onHit`).
 * - `drop`: the connection closes at once; the request never reaches the server.
 * - `answer`: the proxy answers instead of the server (a 503 page, a ClickHouse error).
 * - `reset-mid-response`: the server runs it; the client gets the headers and half the body, then a reset.
 * - `lose-response`: the server runs it; the connection closes before any answer.
 * - `hang`: no answer ever (the client's timeout decides); with `forward` the server runs it first.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'answer'; status: number; headers?: OutgoingHttpHeaders; body: string }
  | { kind: 'reset-mid-response' }
  | { kind: 'lose-response' }
  | { kind: 'hang'; forward: boolean }

export interface FaultRule {
  match: RequestMatch
  fault: Fault
  /** How many matching requests get the fault. Default 1. */
  times?: number
  /** Called with each request the fault hits; the fault happens once it resolves. */
  onHit?(request: SeenRequest): void | Promise<void>
}

export interface InjectedFault {
  /** Requests the fault hit so far. */
  readonly hits: number
  /** Hits still to come. */
  readonly remaining: number
}

export interface ProxyLogEntry {
  method: string
  url: string
  request: SeenRequest
  /** The fault that hit the request, if any. */
  fault?: Fault['kind'] | 'stalled'
}

interface Rule extends FaultRule {
  hits: number
  remaining: number
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'])

function relayHeaders(headers: IncomingHttpHeaders, drop: string[] = []): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()) && !drop.includes(name.toLowerCase())))
}

/**
 * An HTTP proxy on 127.0.0.1 that injects faults on the wire between a client and a test
 * server: per-request rules (drop, answer, reset mid-response, lose the response, hang), an
 * outage that refuses connections, and a stall that freezes every answer in flight.
 */
export class FaultProxy {
  readonly log: ProxyLogEntry[] = []
  private readonly rules: Rule[] = []
  private readonly held = new Set<ServerResponse>()
  private readonly upstreams = new Set<IncomingMessage>()
  private readonly streaming = new Set<ServerResponse>()
  private server: Server
  private stalled = false
  port = 0

  constructor(private readonly target: { host: string; port: number }) {
    this.server = this.makeServer()
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** `127.0.0.1:PORT`, as bf names the server it talks to. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  inject(rule: FaultRule): InjectedFault {
    const entry: Rule = { ...rule, hits: 0, remaining: rule.times ?? 1 }
    this.rules.push(entry)
    return entry
  }

  /** Removes every rule (faults still to come never happen). */
  clear(): void {
    this.rules.length = 0
  }

  /** Removes every rule and forgets the requests seen. */
  reset(): void {
    this.clear()
    this.log.length = 0
  }

  /** Hits of every rule so far. */
  get faultsInjected(): number {
    return this.log.filter((entry) => entry.fault !== undefined).length
  }

  /** Stops listening and drops every connection: connecting gets ECONNREFUSED until `acceptConnections`. */
  async refuseConnections(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
    this.server = this.makeServer()
  }

  async acceptConnections(): Promise<void> {
    await this.listen()
  }

  /** The server stops answering: answers in flight freeze, new requests get no answer. */
  stall(): void {
    this.stalled = true
    for (const upstream of this.upstreams) {
      upstream.unpipe()
      upstream.pause()
    }
    for (const response of this.streaming) this.held.add(response)
  }

  /** The server answers again; connections frozen by the stall are cut, as a restart would. */
  recover(): void {
    this.stalled = false
    this.dropHeld()
  }

  async close(): Promise<void> {
    this.clear()
    this.dropHeld()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private dropHeld(): void {
    for (const response of this.held) response.socket?.destroy()
    this.held.clear()
    for (const upstream of this.upstreams) upstream.destroy()
    this.upstreams.clear()
  }

  private makeServer(): Server {
    const server = createServer((request, response) => {
      this.handle(request, response).catch(() => response.socket?.destroy())
    })
    server.keepAliveTimeout = 10_000
    return server
  }

  private hold(response: ServerResponse): void {
    this.held.add(response)
    response.on('close', () => this.held.delete(response))
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const seen: SeenRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: await readBody(request) }
    const entry: ProxyLogEntry = { method: seen.method, url: seen.url, request: seen }
    this.log.push(entry)
    if (this.stalled) {
      entry.fault = 'stalled'
      return this.hold(response)
    }
    const rule = this.rules.find((candidate) => candidate.remaining > 0 && candidate.match(seen))
    const fault = rule?.fault
    if (rule && fault) {
      rule.remaining--
      rule.hits++
      if (fault.kind !== 'pass') entry.fault = fault.kind
      await rule.onHit?.(seen)
    }
    switch (fault?.kind) {
      case 'drop':
        request.socket.destroy()
        return
      case 'answer':
        response.writeHead(fault.status, { 'Content-Length': Buffer.byteLength(fault.body), ...fault.headers })
        response.end(fault.body)
        return
      case 'hang':
        this.hold(response)
        if (fault.forward) await this.forward(seen, response).then((upstream) => upstream?.resume())
        return
    }
    const upstream = await this.forward(seen, response)
    if (!upstream) return
    if (fault?.kind === 'lose-response' || fault?.kind === 'reset-mid-response') {
      const answer = await readBody(upstream)
      if (fault.kind === 'lose-response') {
        response.socket?.destroy()
        return
      }
      // Chunked, so the cut shows even when the answer is empty: the last chunk never comes.
      response.writeHead(upstream.statusCode ?? 502, relayHeaders(upstream.headers, ['content-length']))
      response.flushHeaders()
      response.write(answer.subarray(0, Math.floor(answer.length / 2)), () => response.socket?.destroy())
      return
    }
    if (this.stalled) return this.hold(response)
    response.writeHead(upstream.statusCode ?? 502, relayHeaders(upstream.headers))
    upstream.pipe(response)
    // A server that cuts a stream (a dropped watch) cuts it for the client too, unless everything is frozen.
    upstream.on('close', () => {
      if (!upstream.complete && !this.stalled) response.destroy()
    })
    this.streaming.add(response)
    response.on('close', () => {
      this.streaming.delete(response)
      this.held.delete(response)
    })
  }

  /** Sends the request to the server; undefined when the client went away or the server is unreachable. */
  private forward(seen: SeenRequest, response: ServerResponse): Promise<IncomingMessage | undefined> {
    return new Promise((resolve) => {
      const outgoing = httpRequest(
        { host: this.target.host, port: this.target.port, method: seen.method, path: seen.url, headers: { ...seen.headers, host: `${this.target.host}:${this.target.port}` } },
        (upstream) => {
          // A cut is handled where the answer is relayed; the error itself is expected.
          upstream.on('error', () => {})
          this.upstreams.add(upstream)
          upstream.on('close', () => this.upstreams.delete(upstream))
          resolve(upstream)
        },
      )
      outgoing.on('error', () => {
        response.socket?.destroy()
        resolve(undefined)
      })
      // A client that gives up (its timeout, an aborted watch) ends the server's side too.
      response.on('close', () => outgoing.destroy())
      outgoing.end(seen.body)
    })
  }
}

export function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  return new FaultProxy(target).listen()
}
