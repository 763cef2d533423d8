import { Flags } from '@oclif/core'
import { parseDuration } from '../plan/duration.js'
import { UserError } from '../errors.js'
import type { PlanOptions } from '../engine/planner.js'

/** Flags shared by `plan`, `apply` and `graph`. */
export const planFlags = {
  target: Flags.string({ summary: 'Only units under this address prefix (cluster, cluster/customer, cluster/customer/2026-01-15).', multiple: true }),
  exclude: Flags.string({ summary: 'Leave out units under this address prefix.', multiple: true }),
  select: Flags.string({ summary: 'all: every unit not yet done; drifted: only units whose live figures are wrong.', options: ['all', 'drifted'], default: 'all' }),
  refresh: Flags.boolean({ summary: 'Read live figures from ClickHouse (--refresh=false plans from state alone).', default: true, allowNo: true }),
  json: Flags.boolean({ summary: 'Machine output instead of human.', default: false }),
  concurrency: Flags.integer({ summary: 'Override job.concurrency (jobs at once per cluster).', min: 1 }),
  'lock-timeout': Flags.string({ summary: 'Wait this long for the state lock (e.g. 30s, 5m); default: fail at once.', default: '0s' }),
}

/** oclif spells `--refresh=false` as a value; accept it alongside `--no-refresh`. */
export function normalizeRefreshArgv(argv: string[]): string[] {
  return argv.map((arg) => (arg === '--refresh=false' ? '--no-refresh' : arg === '--refresh=true' ? '--refresh' : arg))
}

export function planOptionsFrom(flags: { target?: string[]; exclude?: string[]; select: string; refresh: boolean }): PlanOptions {
  return {
    selection: { targets: flags.target ?? [], excludes: flags.exclude ?? [] },
    select: flags.select === 'drifted' ? 'drifted' : 'all',
    refresh: flags.refresh,
  }
}

export function lockTimeoutMs(text: string): number {
  if (text === '0' || text === '0s') return 0
  const ms = parseDuration(text)
  if (ms === undefined) throw new UserError(`--lock-timeout ${text}: not a duration (use 30s, 5m, 1h)`)
  return ms
}
