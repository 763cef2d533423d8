import type { V1Job } from '@kubernetes/client-node'
import { backoffDelay, delayHonouringRetryAfter } from '../../common/retry-policy.js'
import { sleep } from '../../common/sleep.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus, isTransientApiError, retryAfterMs } from './api-errors.js'
import { JobSubscription } from './job-subscription.js'
import { linkedSignal } from './linked-signal.js'
import type { KubeClients } from './kubeconfig.js'
import { watchJobsOnce } from './watch-stream.js'

export interface JobWatchOptions {
  clients: KubeClients
  namespace: string
  /** The plan's Jobs: `app.kubernetes.io/managed-by=bf,bf.dev/plan=…`. */
  labelSelector: string
  /** Names the watch in notes and errors. */
  what: string
  /** Retries, request timeout and rate limit; its signal stops the watch for good. */
  call: ApiCallOptions
  watchTimeoutSeconds: number
  /** The watch stops once no Job has been followed for this long, and starts again on demand. */
  idleMs: number
}

/**
 * One list-and-watch of a plan's Jobs in one namespace of one cluster, serving every Job
 * bf waits for there: it lists once, watches from the list's resourceVersion, reconnects
 * from the last one it saw when a stream ends, and lists again after 410 Gone. It keeps
 * nothing but the Jobs being waited for, so memory does not grow with the Jobs that ran.
 *
 * Not `makeInformer` from `@kubernetes/client-node` 1.4: its ListWatch stops for good on
 * the first error other than 410 (no retry, no backoff), sets no watch timeout (a silently
 * dead connection is never noticed) and caches every Job it lists for as long as it runs.
 */
export class SharedJobWatch {
  private readonly subscriptions = new Map<string, Set<JobSubscription>>()
  private running: AbortController | undefined
  private idleTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: JobWatchOptions) {}

  /** Starts following the Job of this name (before it is created or looked up); `note` hears of the watch's retries. */
  subscribe(name: string, note?: (message: string) => void): JobSubscription {
    const subscription = new JobSubscription(name, (done) => this.unsubscribe(done), note)
    let named = this.subscriptions.get(name)
    if (!named) this.subscriptions.set(name, (named = new Set()))
    named.add(subscription)
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    if (!this.running) this.start()
    return subscription
  }

  /** Stops the watch now. */
  stop(): void {
    clearTimeout(this.idleTimer)
    this.running?.abort()
    this.running = undefined
  }

  private unsubscribe(subscription: JobSubscription): void {
    const named = this.subscriptions.get(subscription.name)
    named?.delete(subscription)
    if (named?.size === 0) this.subscriptions.delete(subscription.name)
    if (this.subscriptions.size === 0 && this.running && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined
        if (this.subscriptions.size === 0) this.stop()
      }, this.options.idleMs)
      this.idleTimer.unref()
    }
  }

  private start(): void {
    const running = new AbortController()
    this.running = running
    const linked = linkedSignal([this.options.call.signal, running.signal])
    const { signal } = linked
    this.loop(signal)
      .catch((error: unknown) => {
        if (this.running === running) this.running = undefined
        if (signal.aborted) return
        for (const named of this.subscriptions.values()) for (const subscription of named) subscription.fail(error)
      })
      .finally(() => linked.dispose())
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { options } = this
    // Retries of the shared list and watch are told to every Job waiting on them.
    const call: ApiCallOptions = { ...options.call, signal, note: (message) => this.noteAll(message) }
    let resourceVersion: string | undefined
    let failures = 0
    for (;;) {
      signal.throwIfAborted()
      resourceVersion ??= await this.list(call)
      await options.call.limiter?.take(signal)
      const result = await watchJobsOnce({
        kubeConfig: options.clients.kubeConfig,
        namespace: options.namespace,
        labelSelector: options.labelSelector,
        resourceVersion,
        watchTimeoutSeconds: options.watchTimeoutSeconds,
        requestTimeoutMs: options.call.requestTimeoutMs,
        signal,
        what: options.what,
        onEvent: (type, job) => this.dispatch(type, job),
      })
      signal.throwIfAborted()
      switch (result.kind) {
        case 'gone':
          resourceVersion = undefined
          failures = 0
          break
        case 'closed':
          resourceVersion = result.resourceVersion
          if (result.events > 0) failures = 0
          // A server that closes every watch at once must not be hammered.
          else await sleep(backoffDelay(call.retry, Math.min(++failures, 10)), signal)
          break
        case 'error':
          if (!isTransientWatchError(result.error) || ++failures >= call.retry.attempts) throw result.error
          call.note?.(`watch of ${options.what} interrupted; reconnecting`)
          await sleep(delayHonouringRetryAfter(call.retry, failures, retryAfterMs(result.error)), signal)
          resourceVersion = result.resourceVersion
          break
      }
    }
  }

  /**
   * Lists the plan's Jobs, hands each to the Jobs waited for, and tells those whose Job
   * was known before the list and is missing from it that it was deleted.
   */
  private async list(call: ApiCallOptions): Promise<string> {
    const known = [...this.subscriptions.values()].flatMap((named) => [...named].filter((subscription) => subscription.jobUid !== undefined))
    const { namespace, labelSelector } = this.options
    const list = await apiCall(`list ${this.options.what}`, (options) => this.options.clients.batch.listNamespacedJob({ namespace, labelSelector }, options), call)
    const listed = new Set<string>()
    for (const job of list.items) {
      listed.add(`${job.metadata?.name ?? ''}\n${job.metadata?.uid ?? ''}`)
      this.dispatch('MODIFIED', job)
    }
    for (const subscription of known) {
      if (!listed.has(`${subscription.name}\n${subscription.jobUid ?? ''}`)) {
        subscription.seen({ type: 'DELETED', job: { metadata: { name: subscription.name, uid: subscription.jobUid ?? '' } } })
      }
    }
    return list.metadata?.resourceVersion ?? ''
  }

  private noteAll(message: string): void {
    for (const named of this.subscriptions.values()) for (const subscription of named) subscription.note(message)
  }

  private dispatch(type: 'ADDED' | 'MODIFIED' | 'DELETED', job: V1Job): void {
    const named = this.subscriptions.get(job.metadata?.name ?? '')
    if (named) for (const subscription of [...named]) subscription.seen({ type, job })
  }
}

/** A watch stream that breaks without an HTTP status (reset, premature close) is worth reconnecting. */
function isTransientWatchError(error: unknown): boolean {
  return apiStatus(error) === undefined || isTransientApiError(error)
}
