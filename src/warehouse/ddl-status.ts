import { isStillRunningCode } from './errors.js'
import { toNumber } from './sql-query.js'

/** One host's line of an `ON CLUSTER` answer. */
export interface DdlHostAnswer {
  /** `host:port` */
  host: string
  state: 'done' | 'running' | 'failed'
  code?: number
  error?: string
}

export interface DdlAnswer {
  hosts: DdlHostAnswer[]
  /** An exception written into the body after a 200 status: ClickHouse had already started answering. */
  bodyError?: { code: number; message: string }
}

const EXCEPTION_TEXT = /Code: (\d+)\.[\s\S]*?Exception/

function hostAnswer(row: Record<string, unknown>): DdlHostAnswer {
  const host = `${String(row.host)}:${String(row.port)}`
  // NULL status: modes `null_status_on_timeout*` and `never_throw` for hosts still working.
  if (row.status === null || row.status === undefined) return { host, state: 'running' }
  const code = toNumber(row.status)
  if (code === 0) return { host, state: 'done' }
  return { host, state: isStillRunningCode(code) ? 'running' : 'failed', code, error: String(row.error ?? '') }
}

/**
 * Reads the JSONEachRow answer of an `ON CLUSTER` statement: `host, port, status, error,
 * num_hosts_remaining, num_hosts_active` per host, possibly followed by an exception in
 * plain text (or as an `exception` field) when the failure came after the 200 status.
 */
export function parseDdlAnswer(body: string): DdlAnswer {
  const answer: DdlAnswer = { hosts: [] }
  for (const line of body.split(/\r?\n/)) {
    const text = line.trim()
    if (text === '') continue
    let row: unknown
    if (text.startsWith('{')) {
      try {
        row = JSON.parse(text)
      } catch {
        row = undefined
      }
    }
    if (row !== null && typeof row === 'object') {
      const record = row as Record<string, unknown>
      if (typeof record.exception === 'string') answer.bodyError ??= exceptionOf(record.exception)
      else if ('host' in record) answer.hosts.push(hostAnswer(record))
      continue
    }
    const match = EXCEPTION_TEXT.exec(text)
    if (match) answer.bodyError ??= { code: Number(match[1]), message: text }
  }
  return answer
}

function exceptionOf(text: string): { code: number; message: string } {
  const match = EXCEPTION_TEXT.exec(text)
  return { code: match ? Number(match[1]) : 0, message: text }
}
