import { spawn } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import type { ProcessIdentity } from './process-identity.js'
import { startTimeOf } from './process-identity.js'
import { RUNNER_SOURCE } from './runner-source.js'

/** A runner started and waiting for its job on stdin. */
export interface StartedRunner {
  identity: ProcessIdentity
  /** Gives the runner its job: the command starts now. */
  handOver(job: { argv: string[]; env: Record<string, string>; exitFile: string }): void
  /** Closes stdin without a job: the runner ends without starting anything. */
  abandon(): void
}

/**
 * Starts a command runner detached from bf (own session and process group, so a signal
 * to bf or its terminal never reaches the command) with stdout and stderr appended to
 * `logFile`. The command does not start until `handOver`.
 */
export async function startRunner(logFile: string, header: string): Promise<StartedRunner> {
  const log = openSync(logFile, 'a')
  let child
  try {
    writeSync(log, header)
    child = spawn(process.execPath, ['-e', RUNNER_SOURCE, 'bf-command-runner'], { detached: true, stdio: ['pipe', log, log] })
  } finally {
    closeSync(log)
  }
  const { pid, stdin } = child
  if (pid === undefined || stdin === null) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve))
    throw new Error(`could not start the command runner: ${error.message}`)
  }
  child.on('error', () => {})
  stdin.on('error', () => {})
  child.unref()
  return {
    identity: { pid, start: startTimeOf(pid) },
    handOver: (job) => stdin.end(JSON.stringify(job)),
    abandon: () => stdin.destroy(),
  }
}
