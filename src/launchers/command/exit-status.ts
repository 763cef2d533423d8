import { readFile } from 'node:fs/promises'

/** What a command runner wrote when its command ended. */
export interface ExitStatus {
  code: number | null
  signal: string | null
  finishedAt: string
  /** Set when the command could not start (not found, not executable). */
  error?: string
}

/** The exit file's status, or undefined while the command has not ended. */
export async function readExitStatus(exitFile: string): Promise<ExitStatus | undefined> {
  let text: string
  try {
    text = await readFile(exitFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return JSON.parse(text) as ExitStatus
}

/** One line for a failed command, or undefined when it succeeded. */
export function exitFailure(status: ExitStatus): string | undefined {
  if (status.error !== undefined) return `command could not start: ${status.error}`
  if (status.signal !== null) return `command killed by ${status.signal}`
  if (status.code !== 0) return `command exited with code ${status.code}`
  return undefined
}
