import type { ClusterSpec, JobSpec } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'
import type { AttemptKey, FirstStop, JobContext, JobOutcome, JobRequest, JobTemplate, Launcher, PreflightFinding } from './launcher.js'

/**
 * A launcher whose module is loaded on first use: a client library that takes most of a
 * second to load (Kubernetes') is then loaded only by plans that run its jobs.
 */
export class LazyLauncher implements Launcher {
  #loading: Promise<Launcher> | undefined

  constructor(
    readonly kind: JobSpec['kind'],
    readonly onFirstStop: FirstStop,
    private readonly load: () => Promise<Launcher>,
  ) {}

  async preflight(cluster: ClusterSpec, job: JobSpec): Promise<PreflightFinding[]> {
    return (await this.#launcher()).preflight(cluster, job)
  }

  async describe(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<string> {
    return (await this.#launcher()).describe(request)
  }

  async run(request: JobRequest, context: JobContext, previous?: Record<string, JsonValue>): Promise<JobOutcome> {
    return (await this.#launcher()).run(request, context, previous)
  }

  async identify(attempt: AttemptKey): Promise<Record<string, JsonValue>> {
    const launcher = await this.#launcher()
    return launcher.identify ? launcher.identify(attempt) : {}
  }

  async serverDryRun(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<PreflightFinding[]> {
    const launcher = await this.#launcher()
    return launcher.serverDryRun ? launcher.serverDryRun(request) : []
  }

  /** Undefined when the launcher has no templates (resolves then to no template at all). */
  async template(cluster: ClusterSpec, job: JobSpec): Promise<JobTemplate | undefined> {
    const launcher = await this.#launcher()
    return launcher.template ? launcher.template(cluster, job) : undefined
  }

  async close(): Promise<void> {
    if (this.#loading) await (await this.#loading).close()
  }

  #launcher(): Promise<Launcher> {
    this.#loading ??= this.load().then((launcher) => {
      if (launcher.onFirstStop !== this.onFirstStop) throw new Error(`the ${this.kind} launcher would ${launcher.onFirstStop} on a stop, not ${this.onFirstStop}`)
      return launcher
    })
    return this.#loading
  }
}
