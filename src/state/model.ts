/**
 * What bf records about the steps it ran. The state of a plan is a snapshot (every
 * step's latest record) plus a journal of step events appended since the snapshot.
 * Records never hold secrets: inputs keep `${env:NAME}` references unresolved.
 */

export const STATE_FORMAT_VERSION = 1

export type StepKind = 'check' | 'delete' | 'await-mutation' | 'job' | 'verify'

/** Every step kind, in the order they run in for a unit: the order wherever kinds are listed. */
export const STEP_KINDS: readonly StepKind[] = ['check', 'delete', 'await-mutation', 'job', 'verify']

export type StepStatus = 'started' | 'succeeded' | 'failed'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** The latest known record of one step. */
export interface StepRecord {
  address: string
  kind: StepKind
  status: StepStatus
  /** 1 for the first attempt; bumped by every new attempt. */
  attempt: number
  /** Hash of the step's inputs when it last started. */
  fingerprint: string
  /** The inputs the fingerprint covers (for diffs in the plan). */
  inputs?: { [key: string]: JsonValue }
  /** What the step learned or produced: mutation ids per host, job name and uid, verify figures… */
  outputs?: { [key: string]: JsonValue }
  error?: string
  startedAt: string
  finishedAt?: string
}

/** One line of the journal: a step transition, or the removal of a step (`bf state rm`). */
export type StepEvent =
  | ({ type: 'started' | 'succeeded' | 'failed' | 'progress' } & Omit<StepRecord, 'status' | 'startedAt' | 'finishedAt'> & { at: string })
  | { type: 'forgotten'; address: string; at: string }

export interface StateSnapshot {
  formatVersion: number
  /** Fixed when the state is created: identifies this state's history. */
  lineage: string
  /** Bumped on every write. */
  serial: number
  /** Plan name the state belongs to. */
  plan: string
  steps: Map<string, StepRecord>
}

/** Applies one event to a snapshot's steps. Pure; the journal and the snapshot share it. */
export function applyEvent(steps: Map<string, StepRecord>, event: StepEvent): void {
  if (event.type === 'forgotten') {
    steps.delete(event.address)
    return
  }
  const { type, at, ...rest } = event
  const previous = steps.get(event.address)
  if (type === 'progress') {
    if (previous) steps.set(event.address, { ...previous, outputs: { ...previous.outputs, ...rest.outputs } })
    return
  }
  const status = type
  const record: StepRecord = {
    ...rest,
    status,
    startedAt: type === 'started' ? at : (previous?.startedAt ?? at),
    ...(type === 'started' ? {} : { finishedAt: at }),
  }
  if (type !== 'started' && previous && rest.outputs === undefined) record.outputs = previous.outputs
  if (type !== 'started' && previous && rest.inputs === undefined) record.inputs = previous.inputs
  steps.set(event.address, record)
}
