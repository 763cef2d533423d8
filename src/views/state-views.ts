import type { StepRecord } from '../state/model.js'
import { renderTable } from './table.js'
import { linesOf, oneLine, printable } from './text.js'
import { yamlLines } from './yaml-block.js'

/**
 * `bf state list`: one aligned line per step, in the order given — address, status,
 * attempts, and when it finished (`—` while started).
 */
export function renderStateList(records: StepRecord[]): string {
  if (records.length === 0) return 'No steps in state.\n'
  const rows = records.map((record) => [oneLine(record.address), record.status, String(record.attempt), record.finishedAt ?? '—'])
  return `${renderTable(['ADDRESS', 'STATUS', 'ATTEMPTS', 'FINISHED AT'], rows).join('\n')}\n`
}

function field(name: string, value: string): string[] {
  const [first = '', ...rest] = linesOf(printable(value))
  return [`${`${name}:`.padEnd(13)}${first}`, ...rest.map((line) => `${' '.repeat(13)}${line}`)]
}

function section(name: string, value: StepRecord['inputs']): string[] {
  if (value === undefined) return []
  return ['', `${name}:`, ...yamlLines(value).map((line) => `  ${line}`)]
}

/** `bf state show`: everything recorded for one step — status, times, error, fingerprint, inputs and outputs. */
export function renderStateShow(record: StepRecord): string {
  const lines = [
    oneLine(record.address),
    ...field('kind', record.kind),
    ...field('status', record.status),
    ...field('attempt', String(record.attempt)),
    ...field('fingerprint', record.fingerprint),
    ...field('started at', record.startedAt),
    ...field('finished at', record.finishedAt ?? '—'),
    ...(record.error === undefined ? [] : field('error', record.error)),
    ...section('inputs', record.inputs),
    ...section('outputs', record.outputs),
  ]
  return `${lines.join('\n')}\n`
}
