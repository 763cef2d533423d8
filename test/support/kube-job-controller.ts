import { randomBytes } from 'node:crypto'
import type { KubeObject, KubeStore } from './kube-store.js'

/**
 * What a simulated Job does. Without a script from the test, a Job reads it from the env
 * of its first container: `BF_TEST_OUTCOME` (complete | fail | hang | image-pull-backoff |
 * unschedulable | create-container-config-error), `BF_TEST_DELAY_MS`, `BF_TEST_LOG`,
 * `BF_TEST_PODS` (pods that fail before the Job fails).
 */
export type JobScript =
  | {
      outcome: 'complete' | 'fail'
      /** Run time of each pod. Default 20 ms. */
      afterMs?: number
      /** Log text of each container (default: a few lines naming the Job). */
      logs?: string
      /** For `fail`: pods that run and fail before the Job gives up. Default 1. */
      pods?: number
    }
  /** Runs until the test calls `finishJob`. */
  | { outcome: 'hang'; logs?: string }
  /** A pod that never starts. */
  | { outcome: 'image-pull-backoff' | 'unschedulable' | 'create-container-config-error' }

/** Lets a test do real work while the Job "runs"; its answer overrides the script's outcome. */
export type JobRunningHook = (job: KubeObject, tools: { log(line: string): void }) => Promise<'complete' | 'fail' | void> | 'complete' | 'fail' | void

type Logs = Map<string, string>

/** Moves Jobs through pods to Complete or Failed, like the Job controller and kubelet together. */
export class SimulatedJobController {
  script?: (job: KubeObject) => JobScript | undefined
  onJobRunning?: JobRunningHook
  /** Delay before a new Job gets its first pod. */
  startDelayMs = 5
  private readonly running = new Set<Promise<void>>()

  constructor(
    private readonly store: KubeStore,
    private readonly logs: Logs,
  ) {}

  /** Starts the Job's life; suspended Jobs never start. */
  start(job: KubeObject): void {
    if (job.spec?.suspend === true) return
    const life = this.live(job).catch(() => undefined)
    this.running.add(life)
    void life.finally(() => this.running.delete(life))
  }

  /** Ends a running Job now (a `hang` script, or any Job the test wants to decide). */
  finish(namespace: string, name: string, outcome: 'complete' | 'fail'): void {
    const job = this.store.get('jobs', namespace, name)
    if (!job) throw new Error(`no Job ${namespace}/${name}`)
    for (const pod of this.podsOf(job)) if (pod.status?.phase === 'Running' || pod.status?.phase === 'Pending') this.endPod(pod, outcome === 'complete')
    this.endJob(job, outcome)
  }

  podsOf(job: KubeObject): KubeObject[] {
    return this.store.list('pods', job.metadata.namespace).filter((pod) => pod.metadata.labels?.['batch.kubernetes.io/controller-uid'] === job.metadata.uid)
  }

  private async live(job: KubeObject): Promise<void> {
    const script = this.script?.(job) ?? scriptFromEnv(job)
    await delay(this.startDelayMs)
    if (!this.exists(job)) return
    if (isStuck(script)) {
      this.createPod(job, script.outcome)
      this.setStatus(job, (status) => ({ ...status, active: 1, ready: 0, startTime: status.startTime ?? now() }))
      return
    }
    await this.runPods(job, script)
  }

  private async runPods(job: KubeObject, script: RunningScript): Promise<void> {
    const pods = script.outcome === 'fail' ? Math.max(1, script.pods ?? 1) : 1
    for (let index = 0; index < pods; index++) {
      const pod = this.createPod(job, 'running')
      const logText = script.logs ?? defaultLog(job, pod, script.outcome)
      for (const container of containerNames(pod)) this.logs.set(logKey(pod, container), logText)
      this.setStatus(job, (status) => ({ ...status, active: 1, ready: 1, startTime: status.startTime ?? now() }))
      let outcome: 'complete' | 'fail' | 'hang' = script.outcome
      if (index === 0 && this.onJobRunning) {
        const log = (line: string): void => {
          for (const container of containerNames(pod)) this.logs.set(logKey(pod, container), `${this.logs.get(logKey(pod, container)) ?? ''}${line}\n`)
        }
        try {
          outcome = (await this.onJobRunning(this.store.get('jobs', job.metadata.namespace, job.metadata.name) ?? job, { log })) ?? outcome
        } catch (error) {
          log(`error: ${error instanceof Error ? error.message : String(error)}`)
          outcome = 'fail'
        }
      }
      if (outcome === 'hang') return
      await delay('afterMs' in script ? (script.afterMs ?? 20) : 0)
      if (!this.exists(job) || this.finished(job)) return
      const current = this.store.get('pods', pod.metadata.namespace, pod.metadata.name)
      if (current) this.endPod(current, outcome === 'complete')
      if (outcome === 'fail' && index < pods - 1) {
        this.setStatus(job, (status) => ({ ...status, active: 0, ready: 0, failed: (status.failed ?? 0) + 1 }))
        continue
      }
      this.endJob(job, outcome)
    }
  }

  private createPod(job: KubeObject, state: 'running' | 'image-pull-backoff' | 'unschedulable' | 'create-container-config-error'): KubeObject {
    const template = job.spec?.template ?? {}
    const spec = template.spec ?? {}
    const name = `${job.metadata.name.slice(0, 57)}-${randomBytes(3).toString('hex').slice(0, 5)}`
    const inits: string[] = (spec.initContainers ?? []).map((container: { name: string }) => container.name)
    const mains: string[] = (spec.containers ?? []).map((container: { name: string }) => container.name)
    const image = (name: string): string => [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find((container: { name: string }) => container.name === name)?.image ?? ''
    const status = (container: string, containerState: unknown): Record<string, unknown> => ({ name: container, image: image(container), imageID: '', ready: false, restartCount: 0, started: false, state: containerState })
    let podStatus: Record<string, unknown>
    if (state === 'running') {
      podStatus = {
        phase: 'Running',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: inits.map((container) => status(container, { terminated: { exitCode: 0, reason: 'Completed' } })),
        containerStatuses: mains.map((container) => ({ ...status(container, { running: { startedAt: now() } }), ready: true, started: true })),
        startTime: now(),
      }
    } else if (state === 'unschedulable') {
      podStatus = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
      }
    } else {
      const waiting =
        state === 'image-pull-backoff'
          ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image(inits[0] ?? mains[0] ?? '')}"` }
          : { reason: 'CreateContainerConfigError', message: 'secret "clickhouse-credentials" not found' }
      const all = [...inits, ...mains]
      const first = all[0]
      podStatus = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        initContainerStatuses: inits.map((container) => status(container, { waiting: container === first ? waiting : { reason: 'PodInitializing' } })),
        containerStatuses: mains.map((container) => status(container, { waiting: container === first ? waiting : { reason: 'PodInitializing' } })),
        startTime: now(),
      }
    }
    return this.store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: job.metadata.namespace,
        labels: {
          ...template.metadata?.labels,
          'batch.kubernetes.io/controller-uid': job.metadata.uid,
          'batch.kubernetes.io/job-name': job.metadata.name,
          'controller-uid': job.metadata.uid,
          'job-name': job.metadata.name,
        },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
      status: podStatus,
    })
  }

  private endPod(pod: KubeObject, succeeded: boolean): void {
    this.store.update('pods', pod.metadata.namespace, pod.metadata.name, (stored) => {
      const terminated = { terminated: { exitCode: succeeded ? 0 : 1, reason: succeeded ? 'Completed' : 'Error', finishedAt: now() } }
      stored.status = {
        ...stored.status,
        phase: succeeded ? 'Succeeded' : 'Failed',
        containerStatuses: (stored.status?.containerStatuses ?? []).map((status: Record<string, unknown>) => ({ ...status, ready: false, state: terminated })),
      }
    })
  }

  private endJob(job: KubeObject, outcome: 'complete' | 'fail'): void {
    const at = now()
    this.setStatus(job, (status) =>
      outcome === 'complete'
        ? {
            ...status,
            active: 0,
            ready: 0,
            succeeded: (status.succeeded ?? 0) + 1,
            completionTime: at,
            conditions: [
              { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastTransitionTime: at },
              { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastTransitionTime: at },
            ],
          }
        : {
            ...status,
            active: 0,
            ready: 0,
            failed: (status.failed ?? 0) + 1,
            conditions: [
              { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: at },
              { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: at },
            ],
          },
    )
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private setStatus(job: KubeObject, change: (status: any) => Record<string, unknown>): void {
    this.store.update('jobs', job.metadata.namespace, job.metadata.name, (stored) => {
      if (stored.metadata.uid === job.metadata.uid) stored.status = change(stored.status ?? {})
    })
  }

  private exists(job: KubeObject): boolean {
    return this.store.get('jobs', job.metadata.namespace, job.metadata.name)?.metadata.uid === job.metadata.uid
  }

  private finished(job: KubeObject): boolean {
    const conditions: Array<{ type: string; status: string }> = this.store.get('jobs', job.metadata.namespace, job.metadata.name)?.status?.conditions ?? []
    return conditions.some((condition) => (condition.type === 'Complete' || condition.type === 'Failed') && condition.status === 'True')
  }
}

type StuckScript = Extract<JobScript, { outcome: 'image-pull-backoff' | 'unschedulable' | 'create-container-config-error' }>
type RunningScript = Exclude<JobScript, StuckScript>

function isStuck(script: JobScript): script is StuckScript {
  return script.outcome === 'image-pull-backoff' || script.outcome === 'unschedulable' || script.outcome === 'create-container-config-error'
}

export function logKey(pod: KubeObject, container: string): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}/${container}`
}

export function containerNames(pod: KubeObject): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((container: { name: string }) => container.name)
}

function scriptFromEnv(job: KubeObject): JobScript {
  const env: Array<{ name: string; value?: string }> = job.spec?.template?.spec?.containers?.[0]?.env ?? []
  const read = (name: string): string | undefined => env.find((variable) => variable.name === name)?.value
  const outcome = read('BF_TEST_OUTCOME') ?? 'complete'
  const afterMs = read('BF_TEST_DELAY_MS')
  const logs = read('BF_TEST_LOG')
  const pods = read('BF_TEST_PODS')
  if (outcome === 'complete' || outcome === 'fail') {
    return { outcome, ...(afterMs ? { afterMs: Number(afterMs) } : {}), ...(logs ? { logs: `${logs}\n` } : {}), ...(pods ? { pods: Number(pods) } : {}) }
  }
  if (outcome === 'hang') return { outcome }
  if (outcome === 'image-pull-backoff' || outcome === 'unschedulable' || outcome === 'create-container-config-error') return { outcome }
  throw new Error(`unknown BF_TEST_OUTCOME ${outcome}`)
}

function defaultLog(job: KubeObject, pod: KubeObject, outcome: string): string {
  const last = outcome === 'fail' ? 'error: backfill failed: connection refused (clickhouse:9000)' : 'done processing'
  return `starting ${job.metadata.name} in pod ${pod.metadata.name}\nprocessing batch\n${last}\n`
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function now(): string {
  return new Date().toISOString()
}
