import type { UnitStatus } from '../../engine/report/model.js'

/** A cell's look: a grid cell holds a unit's status, or no unit (a batch outside the customer's window). */
export type CellStatus = UnitStatus | 'outside'

/**
 * Each status's symbol and words. The symbol is the cue besides colour, for readers who
 * do not tell the colours apart; the order is the legend's.
 */
export const STATUS_LOOK: Record<CellStatus, { symbol: string; word: string }> = {
  verified: { symbol: '✓', word: 'verified' },
  failed: { symbol: '✕', word: 'failed' },
  drifted: { symbol: '≠', word: 'drifted' },
  running: { symbol: '▶', word: 'running' },
  todo: { symbol: '○', word: 'to do' },
  outside: { symbol: '', word: 'not in window' },
}

export const LEGEND_ORDER: readonly CellStatus[] = ['verified', 'failed', 'drifted', 'running', 'todo', 'outside']
