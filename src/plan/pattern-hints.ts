import { DURATION_PATTERN } from './duration.js'
import { SCHEDULE_WINDOW_PATTERN } from './schedule-window.js'
import { ENV_NAME_PATTERN, IDENTIFIER_PATTERN, KUBERNETES_NAME_PATTERN, SLUG_PATTERN, TIMESTAMP_PATTERN, URL_PATTERN } from './patterns.js'

const HINTS = new Map<string, string>([
  [SLUG_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit, at most 40 characters'],
  [IDENTIFIER_PATTERN, 'use letters, digits and "_", not starting with a digit'],
  [ENV_NAME_PATTERN, 'use letters, digits and "_", not starting with a digit'],
  [TIMESTAMP_PATTERN, 'write RFC 3339 in UTC, such as 2026-01-01T00:00:00Z'],
  [DURATION_PATTERN, 'write a whole number and a unit: 30s, 15m, 6h, 1d'],
  [KUBERNETES_NAME_PATTERN, 'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters'],
  [URL_PATTERN, 'write http://host:port or https://host:port'],
  [SCHEDULE_WINDOW_PATTERN, 'write days then hours: "Mon-Fri 22:00-06:00", "Sat,Sun 00:00-24:00", "daily 01:00-05:00"'],
])

/** Keys whose values must also fit a rule of their own: their hint suggests only values that fit it. */
const KEY_HINTS = new Map<string, string>([['window.batch', 'batches are cut on whole hours: use 1h, 6h, 1d, 7d…']])

/** What a value matching `pattern` at `path` looks like, for the hint of an error. */
export function patternHint(pattern: string, path: readonly (string | number)[] = []): string | undefined {
  return KEY_HINTS.get(path.join('.')) ?? HINTS.get(pattern)
}

/** Whether a message may quote a value that failed `pattern`: never for URLs, which can carry credentials. */
export function mayQuoteValue(pattern: string): boolean {
  return pattern !== URL_PATTERN
}
