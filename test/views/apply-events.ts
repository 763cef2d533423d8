import type { ApplyEvent } from '../../src/engine/events.js'

/**
 * An apply of six steps as the executor reports it: a note, a retry, a failure with its
 * log, a wait for the schedule's window, a throttled cluster, a pause, a skip, an interrupt.
 */
export function applyEvents(): ApplyEvent[] {
  const at = (seconds: number): string => new Date(Date.parse('2026-03-02T10:00:00Z') + seconds * 1_000).toISOString()
  const job = (day: string): string => `us-east-1-prod/alaska-air/2026-01-${day}/job`
  return [
    { type: 'apply_start', plan: 'relabel-2026', steps: 6, units: 2, at: at(0) },
    { type: 'step_forgotten', address: 'us-east-1-prod/alaska-air/2025-12-31/job', at: at(0) },
    { type: 'step_start', address: 'us-east-1-prod/check', kind: 'check', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: at(0) },
    { type: 'step_done', address: 'us-east-1-prod/check', kind: 'check', status: 'succeeded', attempt: 1, durationMs: 850, outputs: { pendingMutations: 0 }, at: at(1) },
    { type: 'step_start', address: 'us-east-1-prod/alaska-air/delete', kind: 'delete', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: at(1) },
    { type: 'step_progress', address: 'us-east-1-prod/alaska-air/delete', kind: 'delete', attempt: 1, stateAttempt: 1, fingerprint: 'f', outputs: { tag: 'bf-1a2b-1' }, at: at(1) },
    { type: 'step_note', address: 'us-east-1-prod/alaska-air/delete', message: 'mutation 0000000042 submitted on 3 hosts', at: at(2) },
    { type: 'attempt_done', address: 'us-east-1-prod/alaska-air/delete', kind: 'delete', attempt: 1, stateAttempt: 1, fingerprint: 'f', status: 'succeeded', outputs: { tag: 'bf-1a2b-1' }, at: at(3) },
    { type: 'step_done', address: 'us-east-1-prod/alaska-air/delete', kind: 'delete', status: 'succeeded', attempt: 1, durationMs: 2_300, outputs: { mutations: { 'ch-0': '0000000042' } }, at: at(3) },
    { type: 'step_start', address: job('01'), kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: at(3) },
    { type: 'step_start', address: job('02'), kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: at(3) },
    { type: 'step_done', address: job('01'), kind: 'job', status: 'succeeded', attempt: 1, durationMs: 62_000, outputs: { jobName: 'bf-relabel-2026-alaska-air-20260101-1', uid: 'a1b2' }, at: at(65) },
    { type: 'step_done', address: job('02'), kind: 'job', status: 'failed', attempt: 1, durationMs: 95_500, error: 'Job bf-relabel-2026-alaska-air-20260102-1 failed: BackoffLimitExceeded', logTail: 'connecting to clickhouse\npanic: \u001b[31mcontext deadline exceeded\u001b[0m\n', at: at(99) },
    { type: 'step_start', address: job('02'), kind: 'job', attempt: 2, stateAttempt: 2, fingerprint: 'f', inputs: {}, resumed: false, at: at(99) },
    { type: 'warning', message: '3 mutations pending on default.conversation_with_labels', at: at(100) },
    { type: 'waiting_for_window', opensAt: at(104 + 3 * 3600 + 12 * 60), window: 'Mon-Fri 22:00-06:00', timezone: 'America/Los_Angeles', at: at(104) },
    { type: 'window_open', window: 'Mon-Fri 22:00-06:00', at: at(106) },
    { type: 'throttled', cluster: 'us-east-1-prod', check: 'replicationDelay', value: 420, limit: 300, at: at(108) },
    { type: 'unthrottled', cluster: 'us-east-1-prod', at: at(110) },
    { type: 'paused', by: 'ana@laptop (pid 4242)', reason: 'dashboards are slow', since: at(111), at: at(112) },
    { type: 'resumed', at: at(114) },
    { type: 'interrupt', signal: 'SIGINT', immediate: false, at: at(120) },
    { type: 'step_done', address: job('02'), kind: 'job', status: 'failed', attempt: 2, durationMs: 30_000, error: 'interrupted', at: at(129) },
    { type: 'step_done', address: 'us-east-1-prod/alaska-air/2026-01-01/verify', kind: 'verify', status: 'skipped', attempt: 1, durationMs: 0, at: at(129) },
    { type: 'apply_done', succeeded: 3, failed: 1, skipped: 2, forgotten: 1, durationMs: 129_000, interrupted: true, at: at(129) },
  ]
}
