import { describe, expect, it } from 'vitest'
import { scheduleStanding } from '../../../src/engine/gates/schedule-calendar.js'
import type { ScheduleSpec } from '../../../src/plan/model.js'
import { parseScheduleWindow } from '../../../src/plan/schedule-window.js'

function schedule(timezone: string, ...windows: string[]): ScheduleSpec {
  return { timezone, windows: windows.map((text) => parseScheduleWindow(text) ?? expect.fail(`not a window: ${text}`)) }
}

const at = (iso: string): number => Date.parse(iso)
const iso = (ms: number): string => new Date(ms).toISOString()

describe('parseScheduleWindow', () => {
  it('reads days, ranges that wrap over the week, and hours up to 24:00', () => {
    expect(parseScheduleWindow('Mon-Fri 22:00-06:00')).toEqual({ text: 'Mon-Fri 22:00-06:00', days: [1, 2, 3, 4, 5], startMinute: 1320, endMinute: 360 })
    expect(parseScheduleWindow('Sat,Sun 00:00-24:00')).toMatchObject({ days: [6, 7], startMinute: 0, endMinute: 1440 })
    expect(parseScheduleWindow('daily 01:00-05:00')?.days).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(parseScheduleWindow('Fri-Mon 10:00-11:00')?.days).toEqual([1, 5, 6, 7])
    expect(['Mon-Fri 22:00-22:00', 'mon 01:00-02:00', 'Mon 1:00-02:00', 'Mon 24:00-01:00', 'Mon01:00-02:00'].map(parseScheduleWindow)).toEqual([undefined, undefined, undefined, undefined, undefined])
  })
})

describe('scheduleStanding', () => {
  const weeknights = schedule('America/Los_Angeles', 'Mon-Fri 22:00-06:00')

  it('is open in a window crossing midnight on the day after it opened, and closed on the weekend morning it does not cover', () => {
    // Saturday 03:00 in Los Angeles (PST, UTC-8): Friday's window is still open until 06:00.
    expect(scheduleStanding(weeknights, at('2026-01-10T11:00:00Z'))).toMatchObject({ open: true, changesAt: at('2026-01-10T14:00:00Z') })
    // Monday 03:00: Sunday has no window, so it is closed until Monday 22:00.
    const monday = scheduleStanding(weeknights, at('2026-01-12T11:00:00Z'))
    expect(monday).toMatchObject({ open: false })
    expect(iso(monday.changesAt)).toBe('2026-01-13T06:00:00.000Z')
  })

  it('says when the next window opens, 3h12m ahead', () => {
    // Monday 18:48 PST.
    const standing = scheduleStanding(weeknights, at('2026-01-13T02:48:00Z'))
    expect(standing.open).toBe(false)
    expect(standing.changesAt - at('2026-01-13T02:48:00Z')).toBe((3 * 60 + 12) * 60_000)
  })

  it('follows daylight saving: a window keeps its wall-clock hours across the change', () => {
    // PST (UTC-8) before 2026-03-08, PDT (UTC-7) after.
    expect(iso(scheduleStanding(weeknights, at('2026-03-06T12:00:00Z')).changesAt)).toBe('2026-03-06T14:00:00.000Z')
    expect(iso(scheduleStanding(weeknights, at('2026-03-10T12:00:00Z')).changesAt)).toBe('2026-03-10T13:00:00.000Z')
    // Friday 22:00 PST opens at 06:00Z; Monday 22:00 PDT opens at 05:00Z.
    expect(iso(scheduleStanding(weeknights, at('2026-03-06T20:00:00Z')).changesAt)).toBe('2026-03-07T06:00:00.000Z')
    expect(iso(scheduleStanding(weeknights, at('2026-03-09T20:00:00Z')).changesAt)).toBe('2026-03-10T05:00:00.000Z')
  })

  it('opens a window whose start the spring change skips an hour later, as the time-zone library moves such times', () => {
    // 02:30 does not exist on 2026-03-08 in Los Angeles: it becomes 03:30 PDT (10:30Z).
    const night = schedule('America/Los_Angeles', 'daily 02:30-04:00')
    expect(iso(scheduleStanding(night, at('2026-03-08T09:00:00Z')).changesAt)).toBe('2026-03-08T10:30:00.000Z')
    expect(scheduleStanding(night, at('2026-03-08T10:45:00Z')).open).toBe(true)
  })

  it('treats whole days and several windows together, and names the next window', () => {
    const weekend = schedule('Europe/Paris', 'Sat,Sun 00:00-24:00', 'daily 01:00-05:00')
    // Sunday 23:30 in Paris (CET, UTC+1): open until Monday 00:00.
    expect(scheduleStanding(weekend, at('2026-01-11T22:30:00Z'))).toMatchObject({ open: true, changesAt: at('2026-01-11T23:00:00Z') })
    // Monday 00:30: closed, the daily window opens at 01:00.
    expect(scheduleStanding(weekend, at('2026-01-11T23:30:00Z'))).toMatchObject({ open: false, changesAt: at('2026-01-12T00:00:00Z'), window: { text: 'daily 01:00-05:00' } })
    expect(scheduleStanding(schedule('UTC', 'daily 01:00-05:00'), at('2026-01-01T01:00:00Z')).open).toBe(true)
    expect(scheduleStanding(schedule('UTC', 'daily 01:00-05:00'), at('2026-01-01T05:00:00Z')).open).toBe(false)
  })
})
