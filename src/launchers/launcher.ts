import type { Batch, ClusterSpec, JobSpec } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'

/** Everything a launcher needs to run one attempt of one unit's job. */
export interface JobRequest {
  planName: string
  lineage: string
  /** The job step's address (`cluster/customer/2026-01-15/job`). */
  address: string
  /** The unit's address (`cluster/customer/2026-01-15`). */
  unitAddress: string
  cluster: ClusterSpec
  customer: string
  batch: Batch
  attempt: number
  job: JobSpec
  /** Env with placeholders rendered and `${env:…}` resolved: never log or persist it. */
  env: Record<string, string>
  /** Folder for this step's log files (under the state folder). */
  logDir: string
  /** Aborted when bf must stop now (second signal) or the attempt timed out. */
  signal: AbortSignal
  /**
   * The cluster's job template as planned (see `Launcher.template`): the job is made from
   * it, and the launcher refuses to run when the cluster's template no longer matches it.
   */
  template?: JobTemplate
}

/** A job template bf reads from the cluster rather than the plan file (a CronJob's jobTemplate). */
export interface JobTemplate {
  /** Where it was read: `CronJob cresta-cron/cron-label-conversations`. */
  source: string
  /** `sha256:…` of the template: equal fingerprints, equal jobs. */
  fingerprint: string
  /** The template itself, as plain JSON. */
  content: JsonValue
}

/** What names one attempt of one unit's job, whatever else the run will need. */
export type AttemptKey = Pick<JobRequest, 'unitAddress' | 'attempt' | 'lineage'>

export interface JobContext {
  /** Records outputs durably before the job goes on (a Job's name and uid right after create). */
  record(outputs: Record<string, JsonValue>): Promise<void>
  /** A line of progress for the live view. */
  note(message: string): void
}

export interface JobOutcome {
  ok: boolean
  outputs: Record<string, JsonValue>
  /** Why it failed, in one line naming the Job, host or process. */
  error?: string
  /** Last lines of the job's log, shown with a failure. */
  logTail?: string
  /**
   * The job's end is unknown (it may still be running): bf neither retries nor records a
   * failure, and the next apply reconciles the attempt from what was recorded.
   */
  unresolved?: boolean
}

/** A warning or error found before anything runs. */
export interface PreflightFinding {
  severity: 'warning' | 'error'
  code: string
  message: string
}

/**
 * What a running job does on the first interrupt (start nothing new, reach a safe point):
 * `finish` runs to its end and is recorded (an INSERT, a local command); `detach` is left
 * running where it runs, its run returns at once, and the next apply adopts it from what
 * was recorded (a Kubernetes Job, recorded as soon as it is created).
 */
export type FirstStop = 'finish' | 'detach'

/**
 * Runs jobs of one kind. A new kind of job is one new file implementing this; nothing
 * above it changes.
 */
export interface Launcher {
  readonly kind: JobSpec['kind']
  readonly onFirstStop: FirstStop
  /** Checks the cluster can run the plan's jobs (a CronJob exists, a command is found…). */
  preflight(cluster: ClusterSpec, job: JobSpec): Promise<PreflightFinding[]>
  /** What would run, exactly, for review (`bf plan --show-sql`): a manifest, a statement, an argv. */
  describe(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<string>
  /**
   * Runs one attempt to its end. `previous` holds what an earlier, unfinished run of this
   * same attempt recorded (after a crash): the launcher reconciles with it first — adopts
   * a Job still running, waits for a process still alive — instead of starting again.
   */
  run(request: JobRequest, context: JobContext, previous?: Record<string, JsonValue>): Promise<JobOutcome>
  /**
   * What an attempt is known by before anything of it is sent (an INSERT's query id),
   * recorded with the attempt's start: nothing has to be recorded while it runs.
   */
  identify?(attempt: AttemptKey): Promise<Record<string, JsonValue>>
  /**
   * The job template the cluster holds now, for launchers whose jobs are made from one
   * (Kubernetes: the CronJob's jobTemplate), or undefined for jobs made from none. Read
   * once per plan and cluster.
   */
  template?(cluster: ClusterSpec, job: JobSpec): Promise<JobTemplate | undefined>
  /** Sends what `describe` shows to the server without creating it (Kubernetes `dryRun: All`); rejections as findings. */
  serverDryRun?(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<PreflightFinding[]>
  close(): Promise<void>
}
