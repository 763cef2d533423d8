import { DateTime } from 'luxon'
import type { Millis, ScheduleSpec, ScheduleWindow } from '../../plan/model.js'

/** Where `now` stands in a schedule: inside a window, or waiting for the next one to open. */
export interface ScheduleStanding {
  open: boolean
  /** The window `now` is in, else the one that opens next. */
  window: ScheduleWindow
  /** When that window closes (open) or opens (closed). */
  changesAt: Millis
  /** The next time a window opens after `now` (the same as `changesAt` when closed). */
  nextOpen: Millis
}

/** A window's opening on `day` (midnight in the schedule's zone) and its closing, as instants; the zone library moves times a DST change skips. */
function occurrence(window: ScheduleWindow, day: DateTime): { start: Millis; end: Millis } {
  const at = (date: DateTime, minute: number): DateTime => date.set({ hour: Math.floor(minute / 60), minute: minute % 60 })
  const endDay = window.endMinute <= window.startMinute ? day.plus({ days: 1 }) : day
  const end = window.endMinute === 1440 ? endDay.plus({ days: 1 }) : at(endDay, window.endMinute)
  return { start: at(day, window.startMinute).toMillis(), end: end.toMillis() }
}

/**
 * Whether deletes and jobs may start at `now`, and when that changes. A window belongs
 * to the day it opens on (`Fri 22:00-06:00` is open early on Saturday); days and hours
 * are read in the schedule's time zone, through its rules for daylight saving.
 */
export function scheduleStanding(schedule: ScheduleSpec, now: Millis): ScheduleStanding {
  const today = DateTime.fromMillis(now, { zone: schedule.timezone }).startOf('day')
  let next: ScheduleStanding | undefined
  let current: ScheduleStanding | undefined
  // Yesterday's windows may still be open; a week and a day ahead finds every next opening.
  for (let offset = -1; offset <= 8; offset++) {
    const day = today.plus({ days: offset }).startOf('day')
    for (const window of schedule.windows) {
      if (!window.days.includes(day.weekday)) continue
      const { start, end } = occurrence(window, day)
      if (start <= now && now < end) {
        // Overlapping or back-to-back windows: open until the last of them closes.
        if (!current || end > current.changesAt) current = { open: true, window, changesAt: end, nextOpen: 0 }
      } else if (start > now && (!next || start < next.changesAt)) {
        next = { open: false, window, changesAt: start, nextOpen: start }
      }
    }
  }
  if (!next) throw new Error('a schedule with windows always opens within a week')
  return current ? { ...current, nextOpen: next.changesAt } : next
}
