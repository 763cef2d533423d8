import type { JsonValue, StepRecord } from '../../state/model.js'
import type { UnitDecision } from '../decide-unit.js'
import { figuresRatio } from '../judge-figures.js'
import type { ReportFigures, ReportUnit, UnitStatus } from './model.js'

const number = (value: JsonValue | undefined): number | undefined => (typeof value === 'number' ? value : undefined)
const text = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

function statusOf(decision: UnitDecision, job: StepRecord | undefined, verify: StepRecord | undefined, applying: boolean): UnitStatus {
  if (applying && (job?.status === 'started' || verify?.status === 'started')) return 'running'
  if (decision.action === 'no-op') return 'verified'
  if (job?.status === 'failed' || verify?.status === 'failed') return 'failed'
  if (decision.drifted && verify?.status === 'succeeded') return 'drifted'
  return 'todo'
}

function figuresOf(decision: UnitDecision, verify: StepRecord | undefined): ReportFigures | undefined {
  if (decision.live) {
    const ratio = figuresRatio(decision.live)
    return { source: 'live', ...decision.live, ...(ratio === undefined ? {} : { ratio }) }
  }
  const outputs = verify?.outputs
  const rows = number(outputs?.rows)
  const keys = number(outputs?.keys)
  if (rows === undefined || keys === undefined) return undefined
  const expected = number(outputs?.expected)
  const ratio = number(outputs?.ratio)
  return { source: 'verify', rows, keys, ...(expected === undefined ? {} : { expected }), ...(ratio === undefined ? {} : { ratio }) }
}

function jobOf(job: StepRecord | undefined): ReportUnit['job'] {
  const outputs = job?.outputs
  const jobName = text(outputs?.jobName)
  if (jobName) return { kind: 'job name', name: jobName }
  const queryId = text(outputs?.queryId)
  if (queryId) return { kind: 'query id', name: queryId }
  const log = text(outputs?.logFile)
  return log ? { kind: 'log', name: log } : undefined
}

function durationOf(job: StepRecord | undefined, verify: StepRecord | undefined): number | undefined {
  if (!job) return undefined
  const end = verify?.finishedAt ?? job.finishedAt
  if (end === undefined) return undefined
  const ms = Date.parse(end) - Date.parse(job.startedAt)
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined
}

/**
 * One unit as the report shows it: its status agrees with the plan (a unit the plan leaves
 * alone is verified), with failures and drift told apart from work not done yet.
 */
export function reportUnit(decision: UnitDecision, steps: ReadonlyMap<string, StepRecord>, applying: boolean): ReportUnit {
  const job = steps.get(decision.jobAddress)
  const verify = steps.get(decision.verifyAddress)
  const status = statusOf(decision, job, verify, applying)
  const figures = figuresOf(decision, verify)
  const ran = jobOf(job)
  const durationMs = durationOf(job, verify)
  const failed = job?.status === 'failed' ? job : verify?.status === 'failed' ? verify : undefined
  return {
    address: decision.unit.address,
    label: decision.unit.batch.label,
    status,
    reasons: status === 'todo' || status === 'drifted' ? decision.reasons : [],
    ...(figures ? { figures } : {}),
    attempts: job?.attempt ?? 0,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(ran ? { job: ran } : {}),
    ...(failed ? { error: `${failed.kind} failed: ${failed.error ?? 'no error recorded'}` } : {}),
  }
}
