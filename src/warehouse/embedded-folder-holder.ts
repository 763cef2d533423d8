import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { processExists } from '../common/process-alive.js'

/** Another live process that has the embedded engine open on a data folder. */
export interface FolderHolder {
  pid: number
  /** Its command line, where the system shows it (`node …/bf apply plans/2026.yaml`). */
  command?: string
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '').join(' ')
  } catch {
    return undefined
  }
}

/**
 * The process that holds the engine's data folder, from the `status` file the engine writes
 * there (`PID: 1234`): undefined when there is none, it is this process, or it is gone. A
 * pid taken over since by a program that is not an engine (no `node` nor `clickhouse` in
 * its command line) counts as gone.
 */
export function embeddedFolderHolder(path: string): FolderHolder | undefined {
  let status: string
  try {
    status = readFileSync(join(path, 'status'), 'utf8')
  } catch {
    return undefined
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(status)?.[1])
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processExists(pid)) return undefined
  const command = commandLine(pid)
  if (command !== undefined && !/node|clickhouse|chdb/i.test(command)) return undefined
  return command === undefined ? { pid } : { pid, command }
}
