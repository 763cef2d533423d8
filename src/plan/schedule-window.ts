/** One window of `schedule.windows` as written: `Mon-Fri 22:00-06:00`, `Sat,Sun 00:00-24:00`, `daily 01:00-05:00`. */
export interface ScheduleWindow {
  text: string
  /** ISO weekdays the window opens on (1 = Monday … 7 = Sunday). */
  days: number[]
  /** Minutes after midnight the window opens (0 … 1439). */
  startMinute: number
  /**
   * Minutes after midnight the window closes (1 … 1440, where 1440 is `24:00`); at or
   * before `startMinute`, it closes on the next day.
   */
  endMinute: number
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const
const DAY = `(?:${DAY_NAMES.join('|')})`
const DAYS = `(?:daily|${DAY}(?:-${DAY})?(?:,${DAY}(?:-${DAY})?)*)`
const TIME = '(?:[01][0-9]|2[0-3]):[0-5][0-9]'

/** A window's text: days (`daily`, `Mon-Fri`, `Sat,Sun`), a space, then `HH:MM-HH:MM` in the schedule's time zone. */
export const SCHEDULE_WINDOW_PATTERN = `^${DAYS} ${TIME}-(?:${TIME}|24:00)$`

const WINDOW = new RegExp(SCHEDULE_WINDOW_PATTERN)

function minutes(text: string): number {
  const [hours = 0, mins = 0] = text.split(':').map(Number)
  return hours * 60 + mins
}

function dayNumber(name: string): number {
  return DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]) + 1
}

/** `Fri-Mon` → Fri, Sat, Sun, Mon: a range may wrap over the week's end. */
function daysOf(text: string): number[] {
  if (text === 'daily') return [1, 2, 3, 4, 5, 6, 7]
  const days = new Set<number>()
  for (const part of text.split(',')) {
    const [from = '', to = from] = part.split('-')
    const first = dayNumber(from)
    const last = dayNumber(to)
    for (let day = first; ; day = (day % 7) + 1) {
      days.add(day)
      if (day === last) break
    }
  }
  return [...days].sort((a, b) => a - b)
}

/** Parses a window; undefined when the text does not match `SCHEDULE_WINDOW_PATTERN` or opens and closes at the same minute. */
export function parseScheduleWindow(text: string): ScheduleWindow | undefined {
  if (!WINDOW.test(text)) return undefined
  const [days = '', times = ''] = text.split(' ')
  const [start = '', end = ''] = times.split('-')
  const startMinute = minutes(start)
  const endMinute = minutes(end)
  if (startMinute === endMinute) return undefined
  return { text, days: daysOf(days), startMinute, endMinute }
}
