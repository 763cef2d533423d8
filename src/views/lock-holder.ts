import type { LockInfo } from '../state/store.js'
import { oneLine } from './text.js'

/** The holder of a lock, a field a line, as `bf unlock` shows it before asking. */
export function renderLockHolder(holder: LockInfo): string {
  const fields: Array<[string, string | undefined]> = [
    ['Who', holder.who],
    ['Host', holder.host],
    ['PID', String(holder.pid)],
    ['Operation', holder.operation],
    ['Since', holder.created],
    ['Expires', holder.expires],
    ['From', holder.from],
    ['Lock ID', holder.id],
  ]
  const shown = fields.filter((field): field is [string, string] => field[1] !== undefined)
  const width = Math.max(...shown.map(([label]) => label.length)) + 1
  return ['The state is locked by:', ...shown.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${oneLine(value)}`)].join('\n')
}

/** A lock holder in `--json` output (`bf status`, `bf plan`): `expires` and `from` only when known. */
export function holderJson(holder: LockInfo): object {
  const { who, host, pid, operation, created, expires, from, id } = holder
  return { who, host, pid, operation, since: created, ...(expires === undefined ? {} : { expires }), ...(from === undefined ? {} : { from }), lock_id: id }
}
