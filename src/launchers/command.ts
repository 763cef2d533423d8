import { appendFile, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { formatDuration } from '../plan/duration.js'
import type { ClusterSpec, JobSpec } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'
import { describeCommand } from './command/describe.js'
import { findExecutable } from './command/executable.js'
import type { ExitStatus } from './command/exit-status.js'
import { exitFailure, readExitStatus } from './command/exit-status.js'
import { logFileName, readLogTail } from './command/log-file.js'
import type { ProcessIdentity } from './command/process-identity.js'
import { isRunning, orphanedGroupAlive } from './command/process-identity.js'
import { startRunner } from './command/runner.js'
import { terminateGroup } from './command/terminate.js'
import type { WaitResult } from './command/wait.js'
import { waitForExit } from './command/wait.js'
import type { JobContext, JobOutcome, JobRequest, Launcher, PreflightFinding } from './launcher.js'

export interface CommandLauncherOptions {
  /** How long a command has to end after SIGTERM before its process group gets SIGKILL (default 10 s). */
  killGraceMs?: number
  /** How often bf looks for the exit file (default 150 ms). */
  pollMs?: number
}

/**
 * What bf records right after starting a command, before the command runs: enough for
 * a later bf to find the command's outcome or the process still running it.
 */
interface TrackedRun {
  pid: number
  runnerStart: number | null
  logFile: string
  exitFile: string
  startedAt: string
}

function trackedRunOf(previous: Record<string, JsonValue> | undefined): TrackedRun | undefined {
  if (!previous) return undefined
  const { pid, runnerStart, logFile, exitFile, startedAt } = previous
  if (typeof pid !== 'number' || typeof logFile !== 'string' || typeof exitFile !== 'string' || typeof startedAt !== 'string') return undefined
  return { pid, runnerStart: typeof runnerStart === 'number' ? runnerStart : null, logFile, exitFile, startedAt }
}

function trackedOutputs(run: TrackedRun): Record<string, JsonValue> {
  return { ...run }
}

function identityOf(run: TrackedRun): ProcessIdentity {
  return { pid: run.pid, start: run.runnerStart }
}

function argvOf(job: JobSpec): string[] | undefined {
  return job.command && job.command.length > 0 ? job.command : undefined
}

/**
 * Runs `job.command` (an argv, no shell) as a local process with `request.env` added to
 * bf's environment, its output appended to a log file per unit and attempt.
 *
 * The command runs under a small runner detached from bf that writes the command's exit
 * status to a file. The runner's pid and start time are recorded before the command
 * starts, so after bf dies a new bf adopts the outcome (exit file present), waits for
 * the command (runner alive), or runs it again (runner gone without an outcome) — and a
 * command never runs to completion twice for the same attempt.
 */
export class CommandLauncher implements Launcher {
  readonly kind = 'command' as const
  readonly onFirstStop = 'finish' as const
  private readonly killGraceMs: number
  private readonly pollMs: number

  constructor(options: CommandLauncherOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? 10_000
    this.pollMs = options.pollMs ?? 150
  }

  async preflight(_cluster: ClusterSpec, job: JobSpec): Promise<PreflightFinding[]> {
    const argv = argvOf(job)
    if (!argv) return [{ severity: 'error', code: 'command-missing', message: 'job.command is empty: give the program and its arguments as a list' }]
    const program = argv[0] ?? ''
    if (await findExecutable(program)) return []
    const where = program.includes('/') ? 'no executable file at that path' : 'not found on PATH'
    return [{ severity: 'error', code: 'command-not-found', message: `job.command: ${program}: ${where}` }]
  }

  async describe(request: Omit<JobRequest, 'signal' | 'logDir'>): Promise<string> {
    return describeCommand(argvOf(request.job) ?? [], request.env)
  }

  async run(request: JobRequest, context: JobContext, previous?: Record<string, JsonValue>): Promise<JobOutcome> {
    const argv = argvOf(request.job)
    if (!argv) return { ok: false, outputs: {}, error: 'job.command is empty' }
    const earlier = trackedRunOf(previous)
    if (earlier) {
      const adopted = await this.adopt(earlier, request, context)
      if (adopted) return adopted
    }
    if (request.signal.aborted) return { ok: false, outputs: {}, error: 'interrupted' }
    return this.start(argv, request, context)
  }

  async close(): Promise<void> {}

  /** The outcome of an earlier start of this attempt, or undefined when it must run again. */
  private async adopt(earlier: TrackedRun, request: JobRequest, context: JobContext): Promise<JobOutcome | undefined> {
    const status = await readExitStatus(earlier.exitFile)
    if (status) {
      context.note(`command (runner pid ${earlier.pid}) had already ended; adopting its outcome`)
      return this.outcomeOf({ kind: 'exited', status }, earlier, request)
    }
    const runner = identityOf(earlier)
    if (isRunning(runner)) {
      context.note(`command (runner pid ${earlier.pid}) is still running; waiting for it`)
      return this.waitFor(earlier, request)
    }
    if (orphanedGroupAlive(runner)) await terminateGroup(earlier.pid, this.killGraceMs, this.pollMs)
    context.note(`command (runner pid ${earlier.pid}) is gone without an outcome; running it again`)
    await appendFile(earlier.logFile, `[bf] ${new Date().toISOString()} runner pid ${earlier.pid} is gone without an exit status: starting again\n`)
    return undefined
  }

  private async start(argv: string[], request: JobRequest, context: JobContext): Promise<JobOutcome> {
    await mkdir(request.logDir, { recursive: true })
    const logFile = join(request.logDir, logFileName(request.unitAddress, request.attempt))
    const exitFile = `${logFile}.exit.json`
    await rm(exitFile, { force: true })
    const runner = await startRunner(logFile, `[bf] ${new Date().toISOString()} ${request.address} attempt ${request.attempt}\n`)
    const run: TrackedRun = { pid: runner.identity.pid, runnerStart: runner.identity.start, logFile, exitFile, startedAt: new Date().toISOString() }
    try {
      await context.record(trackedOutputs(run))
    } catch (error) {
      runner.abandon()
      throw error
    }
    if (request.signal.aborted) {
      runner.abandon()
      return { ok: false, outputs: trackedOutputs(run), error: 'interrupted' }
    }
    runner.handOver({ argv, env: request.env, exitFile })
    context.note(`command started (runner pid ${run.pid}), log ${logFile}`)
    return this.waitFor(run, request)
  }

  private async waitFor(run: TrackedRun, request: JobRequest): Promise<JobOutcome> {
    const timeoutMs = request.job.timeoutMs
    const deadline = timeoutMs === undefined ? undefined : Date.parse(run.startedAt) + timeoutMs
    const runner = identityOf(run)
    const result = await waitForExit(runner, run.exitFile, { signal: request.signal, deadline, pollMs: this.pollMs })
    // A runner killed on its own leaves its command running: end it before reporting, so a retry never overlaps it.
    if (result.kind === 'timed-out' || result.kind === 'interrupted' || (result.kind === 'vanished' && orphanedGroupAlive(runner))) {
      await terminateGroup(run.pid, this.killGraceMs, this.pollMs)
    }
    return this.outcomeOf(result, run, request)
  }

  private async outcomeOf(result: WaitResult, run: TrackedRun, request: JobRequest): Promise<JobOutcome> {
    const outputs = trackedOutputs(run)
    if (result.kind === 'exited') {
      Object.assign(outputs, exitOutputs(result.status))
      const failure = exitFailure(result.status)
      if (failure === undefined) return { ok: true, outputs }
      return { ok: false, outputs, error: failure, logTail: await readLogTail(run.logFile) }
    }
    const error =
      result.kind === 'timed-out'
        ? `timed out after ${formatDuration(request.job.timeoutMs ?? 0)}`
        : result.kind === 'interrupted'
          ? 'interrupted'
          : `command runner pid ${run.pid} ended without an exit status (killed?)`
    return { ok: false, outputs, error, logTail: await readLogTail(run.logFile) }
  }
}

function exitOutputs(status: ExitStatus): Record<string, JsonValue> {
  return { exitCode: status.code, signal: status.signal, finishedAt: status.finishedAt }
}
