import type { PauseInfo } from '../state/store.js'
import { oneLine } from './text.js'

/** `paused by ana@host-1 (pid 4242) since 2026-03-01T10:00:00.000Z: inserts rejected` */
export function describePause(pause: PauseInfo): string {
  const reason = pause.reason.trim() === '' ? '' : `: ${oneLine(pause.reason)}`
  return `paused by ${oneLine(pause.who)}@${oneLine(pause.host)} (pid ${pause.pid}) since ${pause.since}${reason}`
}
