import type { ChalkInstance } from 'chalk'
import type { ApplyEvent } from '../../engine/events.js'
import { oneLine } from '../text.js'
import { formatElapsed } from './elapsed.js'

type Operational = Extract<ApplyEvent, { type: 'paused' | 'resumed' | 'waiting_for_window' | 'window_open' | 'throttled' | 'unthrottled' }>

const OPERATIONAL = new Set<ApplyEvent['type']>(['paused', 'resumed', 'waiting_for_window', 'window_open', 'throttled', 'unthrottled'])

export function isOperational(event: ApplyEvent): event is Operational {
  return OPERATIONAL.has(event.type)
}

/** A load figure as its check reads: the replication delay in seconds, a share with two decimals, counts whole. */
export function formatLoad(check: string, value: number): string {
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(2)
  return check === 'replicationDelay' ? `${rounded}s` : rounded
}

/** `waiting for the window Mon-Fri 22:00-06:00 America/Los_Angeles, opens in 3h12m` */
export function waitingText(window: string, timezone: string, opensInMs: number): string {
  return `waiting for the window ${oneLine(window)} ${oneLine(timezone)}, opens in ${formatElapsed(opensInMs)}`
}

/** `throttled on us-east-1-prod: replicationDelay 420s > 300s` */
export function throttleText(cluster: string, check: string, value: number, limit: number): string {
  return `throttled on ${oneLine(cluster)}: ${oneLine(check)} ${formatLoad(check, value)} > ${formatLoad(check, limit)}`
}

/** The line an apply prints when a pause, the schedule or a cluster's load starts or stops holding steps. */
export function operationLine(event: Operational, c: ChalkInstance): string {
  switch (event.type) {
    case 'paused': {
      const reason = event.reason.trim() === '' ? '' : `: ${oneLine(event.reason)}`
      return c.yellow.bold(`Paused by ${oneLine(event.by)}${reason}. Nothing new starts until bf resume; running steps finish.`)
    }
    case 'resumed':
      return c.green.bold('Resumed: steps start again.')
    case 'waiting_for_window': {
      const text = waitingText(event.window, event.timezone, Date.parse(event.opensAt) - Date.parse(event.at))
      return c.yellow.bold(`${text[0]?.toUpperCase()}${text.slice(1)} (${event.opensAt}); deletes and jobs wait, verifies go on.`)
    }
    case 'window_open':
      return c.green.bold(`The window ${oneLine(event.window)} is open: deletes and jobs start.`)
    case 'throttled': {
      const text = throttleText(event.cluster, event.check, event.value, event.limit)
      return c.yellow.bold(`${text[0]?.toUpperCase()}${text.slice(1)}; nothing new starts there until every check is back under.`)
    }
    case 'unthrottled':
      return c.green.bold(`${oneLine(event.cluster)} is back under its load limits: steps start there again.`)
  }
}
