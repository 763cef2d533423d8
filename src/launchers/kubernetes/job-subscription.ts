import type { V1Job } from '@kubernetes/client-node'
import type { JobEnd } from './job-end.js'
import { jobEnd } from './job-end.js'

type Seen = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; job: V1Job }

/**
 * One running Job's share of its cluster's Job watch. It is taken by name before the Job
 * is created or looked up, so no event of the Job can slip by between the create's answer
 * and the wait; `end` then follows the Job of the uid bf got.
 */
export class JobSubscription {
  private uid: string | undefined
  /** The last event for this name while the uid was not known yet. */
  private early: Seen | undefined
  private failure: { error: unknown } | undefined
  private waiting: { resolve(end: JobEnd): void; reject(error: unknown): void; onJob?(job: V1Job): void } | undefined

  constructor(
    readonly name: string,
    private readonly release: (subscription: JobSubscription) => void,
    /** Told about the shared watch's retries and reconnects, for this Job's progress. */
    readonly note: (message: string) => void = () => {},
  ) {}

  /** The uid of the Job this subscription follows, once `end` was called. */
  get jobUid(): string | undefined {
    return this.uid
  }

  /**
   * Waits for `job` (as bf created, adopted or found it) to finish or be deleted. Rejects
   * with the signal's reason when it aborts, or with the watch's error when the watch
   * gives up.
   */
  end(job: V1Job, options: { signal: AbortSignal; onJob?(job: V1Job): void }): Promise<JobEnd> {
    this.uid = job.metadata?.uid ?? ''
    const early = this.early
    this.early = undefined
    return new Promise<JobEnd>((resolve, reject) => {
      const { signal } = options
      if (signal.aborted) return reject(signal.reason)
      const onAbort = (): void => {
        this.waiting = undefined
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiting = {
        resolve: (end) => {
          signal.removeEventListener('abort', onAbort)
          this.waiting = undefined
          resolve(end)
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort)
          this.waiting = undefined
          reject(error)
        },
        ...(options.onJob ? { onJob: options.onJob } : {}),
      }
      this.seen({ type: 'MODIFIED', job })
      if (early) this.seen(early)
      if (this.failure) this.waiting?.reject(this.failure.error)
    })
  }

  /** An event of a Job of this name, from the watch or a list. */
  seen(event: Seen): void {
    if (this.uid === undefined) {
      this.early = event
      return
    }
    const waiting = this.waiting
    if (!waiting || event.job.metadata?.uid !== this.uid) return
    if (event.type === 'DELETED') return waiting.resolve({ kind: 'deleted' })
    waiting.onJob?.(event.job)
    const end = jobEnd(event.job)
    if (end) waiting.resolve(end)
  }

  /** The watch gave up: the wait rejects with its error, now or when it starts. */
  fail(error: unknown): void {
    this.failure = { error }
    this.waiting?.reject(error)
  }

  /** Leaves the watch; the cluster's watch stops when no Job is left to follow for a while. */
  close(): void {
    this.waiting = undefined
    this.release(this)
  }
}
