import type { ApplyEvent } from '../../engine/events.js'
import type { ProgressView, TextSink } from './progress-view.js'

/**
 * One apply event in the `bf apply --json` form (snake_case keys in a fixed order;
 * `schemas/apply-event.schema.json` is its contract). `apply_start` carries the format
 * version of the stream.
 */
export function applyEventToJson(event: ApplyEvent): object | undefined {
  switch (event.type) {
    case 'apply_start':
      return { type: event.type, format_version: '1', plan: event.plan, steps: event.steps, at: event.at }
    case 'step_start':
      return { type: event.type, address: event.address, kind: event.kind, attempt: event.attempt, at: event.at }
    case 'step_note':
      return { type: event.type, address: event.address, message: event.message, at: event.at }
    case 'step_done':
      return {
        type: event.type,
        address: event.address,
        kind: event.kind,
        status: event.status,
        attempt: event.attempt,
        duration_ms: event.durationMs,
        outputs: event.outputs ?? {},
        ...(event.error === undefined ? {} : { error: event.error }),
        ...(event.logTail === undefined ? {} : { log_tail: event.logTail }),
        at: event.at,
      }
    case 'warning':
      return { type: event.type, message: event.message, at: event.at }
    case 'paused':
      return { type: event.type, by: event.by, reason: event.reason, since: event.since, at: event.at }
    case 'resumed':
      return { type: event.type, at: event.at }
    case 'waiting_for_window':
      return { type: event.type, opens_at: event.opensAt, window: event.window, timezone: event.timezone, at: event.at }
    case 'throttled':
      return { type: event.type, cluster: event.cluster, check: event.check, value: event.value, limit: event.limit, at: event.at }
    case 'unthrottled':
      return { type: event.type, cluster: event.cluster, at: event.at }
    case 'interrupt':
      return { type: event.type, signal: event.signal, immediate: event.immediate, at: event.at }
    case 'lease_lost':
      return { type: event.type, reason: event.reason, running: event.running, at: event.at }
    case 'apply_done':
      return {
        type: event.type,
        succeeded: event.succeeded,
        failed: event.failed,
        skipped: event.skipped,
        forgotten: event.forgotten,
        duration_ms: event.durationMs,
        interrupted: event.interrupted,
        at: event.at,
      }
    default:
      // State transitions (forgotten steps, outputs, an attempt's end) are the state's, not the stream's.
      return undefined
  }
}

/** `bf apply --json`: one JSON object per line for every event the stream documents, nothing else. */
export class JsonEventsView implements ProgressView {
  constructor(private readonly sink: TextSink) {}

  onEvent(event: ApplyEvent): void {
    const json = applyEventToJson(event)
    if (json !== undefined) this.sink.write(`${JSON.stringify(json)}\n`)
  }

  close(): void {}
}
