import type { ChalkInstance } from 'chalk'
import { palette } from '../palette.js'
import { formatElapsed } from './elapsed.js'
import { formatNumber, oneLine, plural } from '../text.js'

/** The outcome of an apply, as counted by the executor. */
export interface ApplyCounts {
  succeeded: number
  failed: number
  skipped: number
  /** State records removed. */
  forgotten?: number
  interrupted?: boolean
  /** Steps whose last attempt failed; listed under a failed apply. */
  failedAddresses?: string[]
  /** How long the apply took: its last line. */
  durationMs?: number
}

/**
 * The last words of an apply: `Apply complete: 98 succeeded, 0 failed, 0 skipped.` (with
 * `; 12 step records forgotten` when it removed any), or
 * `Apply failed: …` with each failed step and how to go on, or `Apply interrupted: …`;
 * then, when known, how long it took (`Took 1h02m.`).
 */
export function renderApplySummary(counts: ApplyCounts, options: { color: boolean } = { color: false }): string {
  const took = counts.durationMs === undefined ? '' : `Took ${formatElapsed(counts.durationMs)}.\n`
  return `${summaryLines(counts, palette(options.color))}${took}`
}

function summaryLines(counts: ApplyCounts, c: ChalkInstance): string {
  const forgot = counts.forgotten ? `; ${plural(counts.forgotten, 'step record')} forgotten` : ''
  const figures = `${formatNumber(counts.succeeded)} succeeded, ${formatNumber(counts.failed)} failed, ${formatNumber(counts.skipped)} skipped${forgot}.`
  if (counts.failed > 0) {
    const lines = [c.red.bold(`Apply failed: ${figures}`)]
    for (const address of counts.failedAddresses ?? []) lines.push(`  ${c.red('✗')} ${oneLine(address)}`)
    lines.push('Fix the cause and run bf apply again: finished steps are not run twice, failed ones run again.')
    return `${lines.join('\n')}\n`
  }
  if (counts.interrupted) return `${c.yellow.bold(`Apply interrupted: ${figures}`)}\nRun bf apply again to resume where it stopped.\n`
  return `${c.green.bold(`Apply complete: ${figures}`)}\n`
}

/** Most steps named in the message of a lost lease; the rest are counted. */
const RUNNING_SHOWN = 5

/** Why `bf apply` exits 1 after losing the state's lease, in one line: what happened, what was running, what to do. */
export function leaseLostMessage(loss: { reason: string; running: string[] }): string {
  const shown = loss.running.slice(0, RUNNING_SHOWN).map(oneLine).join(', ')
  const more = loss.running.length > RUNNING_SHOWN ? ` and ${formatNumber(loss.running.length - RUNNING_SHOWN)} more` : ''
  const running =
    loss.running.length === 0
      ? 'No step was running; run bf apply again to go on.'
      : `Running then: ${shown}${more}; the next bf apply reconciles them with what they did before it goes on, and runs no finished step twice.`
  return `bf stopped, starting and recording nothing more: ${oneLine(loss.reason).replace(/\.$/, '')}. ${running}`
}
