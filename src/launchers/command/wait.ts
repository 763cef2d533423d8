import { sleep } from '../../common/sleep.js'
import type { ExitStatus } from './exit-status.js'
import { readExitStatus } from './exit-status.js'
import type { ProcessIdentity } from './process-identity.js'
import { isRunning } from './process-identity.js'

export type WaitResult =
  | { kind: 'exited'; status: ExitStatus }
  /** The runner ended without writing its exit file (it was killed). */
  | { kind: 'vanished' }
  | { kind: 'timed-out' }
  | { kind: 'interrupted' }

export interface WaitOptions {
  signal: AbortSignal
  /** Epoch ms after which the wait gives up; undefined for no limit. */
  deadline?: number
  pollMs: number
}

/** Polls the exit file until the runner has written it, is gone, or the wait must stop. */
export async function waitForExit(runner: ProcessIdentity, exitFile: string, options: WaitOptions): Promise<WaitResult> {
  for (;;) {
    const status = await readExitStatus(exitFile)
    if (status) return { kind: 'exited', status }
    if (!isRunning(runner)) {
      // The runner may have written the file between the two looks.
      const late = await readExitStatus(exitFile)
      return late ? { kind: 'exited', status: late } : { kind: 'vanished' }
    }
    if (options.signal.aborted) return { kind: 'interrupted' }
    const left = options.deadline === undefined ? options.pollMs : options.deadline - Date.now()
    if (left <= 0) return { kind: 'timed-out' }
    await sleep(Math.min(options.pollMs, left), options.signal)
  }
}
