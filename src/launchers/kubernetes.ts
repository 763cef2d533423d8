import { setMaxListeners } from 'node:events'
import type { V1CronJob, V1Job } from '@kubernetes/client-node'
import type { RetryPolicy } from '../common/retry-policy.js'
import type { ClusterSpec, JobSpec } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'
import { UserError } from '../errors.js'
import type { JobContext, JobOutcome, JobRequest, JobTemplate, Launcher, PreflightFinding } from './launcher.js'
import type { ApiCallOptions } from './kubernetes/api-call.js'
import { awaitJob, isTimeout } from './kubernetes/await-job.js'
import { CronJobUnreadable, readCronJob } from './kubernetes/cronjob.js'
import { BF_LABEL, buildJobManifest, jobNameFor, kubernetesSpec, manifestYaml } from './kubernetes/job-manifest.js'
import { templateOf } from './kubernetes/job-template.js'
import type { KubeClients } from './kubernetes/kubeconfig.js'
import { connect, effectiveNamespace } from './kubernetes/kubeconfig.js'
import { outcomeOf } from './kubernetes/outcome.js'
import { preflightKubernetes, serverDryRunFindings } from './kubernetes/preflight.js'
import { linkedSignal } from './kubernetes/linked-signal.js'
import { JobProgress } from './kubernetes/progress.js'
import { DEFAULT_RATE_LIMIT, RateLimiter } from './kubernetes/rate-limiter.js'
import { DEFAULT_RETRY_POLICY } from './kubernetes/retry.js'
import type { JobSubscription } from './kubernetes/job-subscription.js'
import { SharedJobWatch } from './kubernetes/job-watch.js'
import type { StartedJob } from './kubernetes/start-job.js'
import { LaunchFailure, recordedJob, startJob } from './kubernetes/start-job.js'
import { TemplateGuard } from './kubernetes/template-guard.js'

export { buildJobManifest } from './kubernetes/job-manifest.js'
export { jobName } from './kubernetes/job-name.js'

/** Tuning of the Kubernetes launcher; the defaults suit real clusters, tests shorten them. */
export interface KubernetesLauncherOptions {
  /** How often the Job's pods are checked for problems. Default 5 s. */
  podCheckIntervalMs?: number
  /** How long a pod may stay in ImagePullBackOff, CreateContainerConfigError… or unschedulable before the attempt fails. Default 5 min. */
  podStuckGraceMs?: number
  /** Retries of transient API errors (429, 5xx, dropped connections). Default 6 tries from 0.5 s, doubling, capped at 30 s. */
  retry?: Partial<RetryPolicy>
  /** A single API request unanswered after this is cut and retried. Default 30 s. */
  requestTimeoutMs?: number
  /** The server ends each watch after this and bf reconnects. Default 300 s. */
  watchTimeoutSeconds?: number
  /** A cluster's Job watch stops once no Job was waited for this long. Default 30 s. */
  watchIdleMs?: number
  /** Lines kept from each container's log when a Job fails. Default 50. */
  logTailLines?: number
}

type Settings = Required<Omit<KubernetesLauncherOptions, 'retry'>> & { retry: RetryPolicy }

/**
 * Runs each attempt as a Kubernetes Job made from a CronJob's template with env overrides,
 * like `kubectl create job --from=cronjob/… && kubectl set env`, and waits for its outcome.
 */
export class KubernetesLauncher implements Launcher {
  readonly kind = 'kubernetes' as const
  readonly onFirstStop = 'detach' as const
  private readonly settings: Settings
  private readonly clientsByContext = new Map<string, KubeClients>()
  private readonly cronJobs = new Map<string, Promise<V1CronJob>>()
  private readonly limiters = new Map<string, RateLimiter>()
  private readonly watches = new Map<string, SharedJobWatch>()
  private readonly templates = new TemplateGuard()
  private readonly closing = new AbortController()

  constructor(options: KubernetesLauncherOptions = {}) {
    // Every running Job listens to it (one listener each, removed when its run ends).
    setMaxListeners(0, this.closing.signal)
    this.settings = {
      podCheckIntervalMs: options.podCheckIntervalMs ?? 5_000,
      podStuckGraceMs: options.podStuckGraceMs ?? 5 * 60_000,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      watchIdleMs: options.watchIdleMs ?? 30_000,
      logTailLines: options.logTailLines ?? 50,
    }
  }

  preflight(cluster: ClusterSpec, job: JobSpec): Promise<PreflightFinding[]> {
    return preflightKubernetes(cluster, job, (spec) => this.clients(spec), this.callOptions(cluster, this.closing.signal))
  }

  /** The Job manifest bf would create, as YAML. Env is rendered as given (mask secrets before). */
  async describe(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<string> {
    return manifestYaml(await this.manifest(request))
  }

  /** The CronJob's jobTemplate as the cluster holds it; read once per launcher and cluster. */
  async template(cluster: ClusterSpec, job: JobSpec): Promise<JobTemplate> {
    const clients = this.clients(cluster)
    return templateOf(await this.cronJob({ cluster, job }, clients, effectiveNamespace(kubernetesSpec({ job }).namespace, clients)))
  }

  /** `bf plan --server-dry-run`: what the API server would reject of this request's Job. */
  async serverDryRun(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<PreflightFinding[]> {
    let manifest: V1Job
    try {
      manifest = await this.manifest(request)
    } catch (caught) {
      if (caught instanceof CronJobUnreadable) return [{ severity: 'error', code: caught.code, message: caught.message }]
      if (caught instanceof UserError) return [{ severity: 'error', code: 'kubernetes', message: caught.message }]
      throw caught
    }
    return serverDryRunFindings(this.clients(request.cluster), manifest, this.callOptions(request.cluster, this.closing.signal))
  }

  /**
   * Creates (or adopts, or after a crash finds again) this attempt's Job and waits for it.
   * Resolves with the outcome; rejects with the signal's reason when bf must stop now,
   * leaving the recorded Job running for the next apply to adopt. An abort whose reason is
   * a TimeoutError counts as the attempt's timeout.
   */
  async run(request: JobRequest, context: JobContext, previous?: Record<string, JsonValue>): Promise<JobOutcome> {
    const linked = linkedSignal([request.signal, this.closing.signal])
    const note = (message: string): void => context.note(message)
    const call = this.callOptions(request.cluster, linked.signal, note)
    let subscription: JobSubscription | undefined
    try {
      return await this.runJob(request, context, previous, call, (taken) => (subscription = taken))
    } finally {
      subscription?.close()
      linked.dispose()
    }
  }

  /** `run`'s body; `subscribed` is told each watch subscription taken, for `run` to release. */
  private async runJob(
    request: JobRequest,
    context: JobContext,
    previous: Record<string, JsonValue> | undefined,
    call: ApiCallOptions,
    subscribed: (subscription: JobSubscription) => void,
  ): Promise<JobOutcome> {
    const signal = call.signal!
    const note = (message: string): void => context.note(message)
    let clients: KubeClients
    let namespace: string
    let started: StartedJob
    let subscription: JobSubscription
    // The template this attempt's Job was made from, recorded with it for the next plan's comparison.
    let used: JobTemplate | undefined
    try {
      clients = this.clients(request.cluster)
      namespace = effectiveNamespace(kubernetesSpec(request).namespace, clients)
      // Followed from before it exists, so none of its events can come before bf listens.
      const recorded = recordedJob(previous, namespace)
      const watched = recorded ?? { namespace, name: jobNameFor(request) }
      subscription = this.jobWatch(request, clients, watched.namespace).subscribe(watched.name, note)
      subscribed(subscription)
      started = await startJob(clients, namespace, request, previous, call, async () => {
        const cronJob = await this.cronJobToRun(request, clients, namespace)
        used = templateOf(cronJob)
        return cronJob
      })
      const startedName = started.job.metadata?.name ?? ''
      if (startedName !== watched.name) {
        // Found by bf's labels under another name: follow that one instead.
        subscription.close()
        subscription = this.jobWatch(request, clients, watched.namespace).subscribe(startedName, note)
        subscribed(subscription)
      }
    } catch (caught) {
      if (request.signal.aborted && isTimeout(request.signal.reason)) return { ok: false, outputs: {}, error: 'timed out before the Job was created' }
      if (signal.aborted) throw signal.reason
      if (caught instanceof LaunchFailure && caught.maybeCreated !== undefined) {
        // Unresolved: the next apply resumes this same attempt, whose create adopts the Job if it exists; never a second one.
        await context.record({ maybeCreatedJob: caught.maybeCreated.name, namespace: caught.maybeCreated.namespace })
        return { ok: false, outputs: {}, error: caught.message, unresolved: true }
      }
      if (caught instanceof UserError || caught instanceof LaunchFailure) return { ok: false, outputs: {}, error: caught.message }
      throw caught
    }

    const jobName = started.job.metadata?.name ?? ''
    const jobUid = started.job.metadata?.uid ?? ''
    const outputs: Record<string, JsonValue> = { jobName, jobUid, namespace, ...this.templates.outputs(contextKey(request.cluster), used, previous) }
    await context.record({ ...outputs })
    const ref = `${namespace}/${jobName}`
    note(`${started.how} Job ${ref}`)

    const progress = new JobProgress(ref, note)
    const timeoutMs = request.job.timeoutMs
    const startedAt = started.how === 'created' ? Date.now() : createdAt(started.job)
    const result = await awaitJob({
      clients,
      namespace,
      job: started.job,
      subscription,
      ...(timeoutMs !== undefined ? { deadlineAt: startedAt + timeoutMs } : {}),
      signal,
      call,
      podCheckIntervalMs: this.settings.podCheckIntervalMs,
      podStuckGraceMs: this.settings.podStuckGraceMs,
      onJob: (job) => progress.job(job),
      onPods: (pods) => progress.pods(pods),
    })
    return outcomeOf(result, {
      request,
      clients,
      namespace,
      jobName,
      jobUid,
      outputs,
      cleanup: this.callOptions(request.cluster, this.closing.signal, note),
      podStuckGraceMs: this.settings.podStuckGraceMs,
      logTailLines: this.settings.logTailLines,
    })
  }

  /** Stops every wait in progress (their runs reject) and forgets cached clients. */
  async close(): Promise<void> {
    this.closing.abort(new Error('the Kubernetes launcher was closed'))
    for (const watch of this.watches.values()) watch.stop()
    this.watches.clear()
    this.clientsByContext.clear()
    this.cronJobs.clear()
    this.templates.clear()
  }

  /** The one watch of this plan's Jobs in this namespace of the request's cluster. */
  private jobWatch(request: Pick<JobRequest, 'cluster' | 'planName'>, clients: KubeClients, namespace: string): SharedJobWatch {
    const key = `${contextKey(request.cluster)}\n${namespace}\n${request.planName}`
    let watch = this.watches.get(key)
    if (!watch) {
      watch = new SharedJobWatch({
        clients,
        namespace,
        labelSelector: `${BF_LABEL.managedBy}=bf,${BF_LABEL.plan}=${request.planName}`,
        what: `Jobs of plan ${request.planName} in ${namespace}`,
        call: this.callOptions(request.cluster, this.closing.signal),
        watchTimeoutSeconds: this.settings.watchTimeoutSeconds,
        idleMs: this.settings.watchIdleMs,
      })
      this.watches.set(key, watch)
    }
    return watch
  }

  /** Builds a request's manifest from the CronJob as read once per launcher (describe runs per unit). */
  private async manifest(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<V1Job> {
    const clients = this.clients(request.cluster)
    const namespace = effectiveNamespace(kubernetesSpec(request).namespace, clients)
    return buildJobManifest(await this.cronJob(request, clients, namespace), request)
  }

  /**
   * The CronJob a new Job is made from: with a planned template, the cluster's CronJob is
   * read again before the cluster's first Job and must still hold it (the Job is made from
   * the planned one); without, the CronJob as read once.
   */
  private cronJobToRun(request: JobRequest, clients: KubeClients, namespace: string): Promise<V1CronJob> {
    const planned = request.template
    if (!planned) return this.cronJob(request, clients, namespace)
    const name = kubernetesSpec(request).cronJob
    const read = (): Promise<V1CronJob> => readCronJob(clients, namespace, name, this.callOptions(request.cluster, this.closing.signal))
    return this.templates.cronJobFor(`${contextKey(request.cluster)}\n${namespace}\n${name}`, planned, read)
  }

  /** The request's CronJob, read once per cluster, namespace and name (again only after a failed read). */
  private cronJob(request: Pick<JobRequest, 'cluster' | 'job'>, clients: KubeClients, namespace: string): Promise<V1CronJob> {
    const name = kubernetesSpec(request).cronJob
    const key = `${contextKey(request.cluster)}\n${namespace}\n${name}`
    let cronJob = this.cronJobs.get(key)
    if (!cronJob) {
      cronJob = readCronJob(clients, namespace, name, this.callOptions(request.cluster, this.closing.signal))
      cronJob.catch(() => this.cronJobs.delete(key))
      this.cronJobs.set(key, cronJob)
    }
    return cronJob
  }

  private clients(cluster: ClusterSpec): KubeClients {
    if (!cluster.kubernetes) throw new UserError(`cluster ${cluster.name} has no kubernetes.context`)
    const key = contextKey(cluster)
    let clients = this.clientsByContext.get(key)
    if (!clients) {
      clients = connect(cluster.kubernetes)
      this.clientsByContext.set(key, clients)
    }
    return clients
  }

  private callOptions(cluster: ClusterSpec, signal: AbortSignal, note?: (message: string) => void): ApiCallOptions {
    const limiter = this.limiter(cluster)
    return { signal, retry: this.settings.retry, requestTimeoutMs: this.settings.requestTimeoutMs, ...(note ? { note } : {}), ...(limiter ? { limiter } : {}) }
  }

  /** The cluster's client-side rate limit (`kubernetes.qps`, `kubernetes.burst`), shared by everything bf sends it. */
  private limiter(cluster: ClusterSpec): RateLimiter | undefined {
    if (!cluster.kubernetes) return undefined
    const key = contextKey(cluster)
    let limiter = this.limiters.get(key)
    if (!limiter) {
      limiter = new RateLimiter(cluster.kubernetes.qps ?? DEFAULT_RATE_LIMIT.qps, cluster.kubernetes.burst ?? DEFAULT_RATE_LIMIT.burst)
      this.limiters.set(key, limiter)
    }
    return limiter
  }
}

export function createKubernetesLauncher(options: KubernetesLauncherOptions = {}): KubernetesLauncher {
  return new KubernetesLauncher(options)
}

function contextKey(cluster: ClusterSpec): string {
  return `${cluster.kubernetes?.kubeconfig ?? ''}\n${cluster.kubernetes?.context ?? ''}`
}

function createdAt(job: V1Job): number {
  const at = job.metadata?.creationTimestamp
  return at ? new Date(at).getTime() : Date.now()
}
