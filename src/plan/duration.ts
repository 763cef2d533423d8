const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** A duration as the plan language writes it: a whole number and one unit (`30s`, `15m`, `6h`, `1d`). */
export const DURATION_PATTERN = '^[1-9][0-9]{0,6}(s|m|h|d)$'

const DURATION = new RegExp(DURATION_PATTERN)

/** Parses `6h` into milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined
  const unit = text.slice(-1) as keyof typeof UNIT_MS
  return Number(text.slice(0, -1)) * UNIT_MS[unit]
}

/** `5400000` → `1h30m`: for messages and progress. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`
  let rest = Math.round(ms / 1_000)
  const parts: string[] = []
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.slice(0, 2).join('')
}
