import { readdirSync, readFileSync } from 'node:fs'
import { processExists } from '../../common/process-alive.js'

/**
 * A process as bf recorded it. `start` is its start time in clock ticks since boot
 * (`/proc/<pid>/stat`, Linux only; null elsewhere): a live process with the same pid but
 * another start time is a later process that reused the pid.
 */
export interface ProcessIdentity {
  pid: number
  start: number | null
}

interface ProcStat {
  state: string
  processGroup: number
  start: number
}

function readProcStat(pid: number): ProcStat | undefined | 'unsupported' {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return process.platform === 'linux' ? undefined : 'unsupported'
    return 'unsupported'
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last `)`.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const state = fields[0]
  const processGroup = Number(fields[2])
  const start = Number(fields[19])
  if (state === undefined || !Number.isFinite(processGroup) || !Number.isFinite(start)) return 'unsupported'
  return { state, processGroup, start }
}

/** The process's start time, or null where bf cannot read it. */
export function startTimeOf(pid: number): number | null {
  const stat = readProcStat(pid)
  return typeof stat === 'object' ? stat.start : null
}

/** True while the very process bf recorded is alive (not a zombie, not a reused pid). */
export function isRunning(identity: ProcessIdentity): boolean {
  const stat = readProcStat(identity.pid)
  if (stat === undefined) return false
  if (stat === 'unsupported') return processExists(identity.pid)
  if (isZombie(stat.state)) return false
  return identity.start === null || stat.start === identity.start
}

function isZombie(state: string): boolean {
  return state === 'Z' || state === 'X'
}

/**
 * True while any living process of the group led by `pgid` exists. On Linux zombies do
 * not count: an orphan's zombie lingers until init reaps it, which some inits do slowly.
 */
export function groupAlive(pgid: number): boolean {
  if (!processExists(-pgid)) return false
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))
  } catch {
    return true
  }
  return pids.some((pid) => {
    const stat = readProcStat(Number(pid))
    return typeof stat === 'object' && stat.processGroup === pgid && !isZombie(stat.state)
  })
}

/**
 * True when the recorded leader is gone but its group lives on (the runner was killed,
 * the command it started was not). A pid is never reused while a process group still
 * carries it, so such a group can only be the one bf started.
 */
export function orphanedGroupAlive(identity: ProcessIdentity): boolean {
  const stat = readProcStat(identity.pid)
  if (stat === 'unsupported') return false
  const leaderGone = stat === undefined || (isZombie(stat.state) && (identity.start === null || stat.start === identity.start))
  return leaderGone && groupAlive(identity.pid)
}

/** Sends `signal` to every process of the group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}
