import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { splitAddress } from '../../plan/address.js'

/**
 * `us-east-1-prod_alaska-air_2026-01-15-a1.log`: one file per unit and attempt. A part
 * with characters unsafe in a file name is cleaned and suffixed with a short hash, so two
 * customers never share a file.
 */
export function logFileName(unitAddress: string, attempt: number): string {
  const parts = splitAddress(unitAddress).map((part) => {
    const clean = part.replace(/[^A-Za-z0-9.-]/g, '-')
    if (clean === part && part !== '.' && part !== '..') return part
    return `${clean}-${createHash('sha256').update(part).digest('hex').slice(0, 8)}`
  })
  return `${parts.join('_')}-a${attempt}.log`
}

const TAIL_BYTES = 64 * 1024

/** The last `lines` lines of a log file ('' when it does not exist). */
export async function readLogTail(file: string, lines = 40): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return ''
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    const text = buffer.toString('utf8').replace(/\n$/, '')
    const all = text.split('\n')
    // A read starting mid-file begins with a partial line.
    const whole = length < size ? all.slice(1) : all
    return whole.slice(-lines).join('\n')
  } finally {
    await handle.close()
  }
}
