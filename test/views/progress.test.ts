import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import stringWidth from 'string-width'
import { describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/engine/events.js'
import { renderApplySummary } from '../../src/views/progress/apply-summary.js'
import { formatElapsed, formatEta } from '../../src/views/progress/elapsed.js'
import { JsonEventsView } from '../../src/views/progress/json-events.js'
import { LineProgressView } from '../../src/views/progress/line-progress.js'
import { LiveProgressView } from '../../src/views/progress/live-progress.js'
import { applyEvents } from './apply-events.js'
import { expectGolden } from './golden.js'
import { Screen } from './screen.js'

function sink(): { write(text: string): void; text: () => string } {
  let text = ''
  return { write: (chunk: string) => void (text += chunk), text: () => text }
}

/** Escape characters shown as `\e`, so terminal output can be read in a golden file. */
const visible = (text: string): string => text.replaceAll('\u001b', '\\e')

const schema = JSON.parse(readFileSync(new URL('../../schemas/apply-event.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

describe('JsonEventsView', () => {
  it('writes one schema-valid JSON line per documented event, and none for what only the state records', () => {
    const out = sink()
    const view = new JsonEventsView(out)
    for (const event of applyEvents()) view.onEvent(event)
    view.close()
    const lines = out.text().trimEnd().split('\n')
    // What only the state records, and the window's opening, which only the progress views show.
    const stateOnly = new Set(['step_forgotten', 'step_progress', 'attempt_done', 'window_open'])
    expect(lines).toHaveLength(applyEvents().filter((event) => !stateOnly.has(event.type)).length)
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type).filter((type) => stateOnly.has(type))).toEqual([])
    for (const line of lines) expect(validate(JSON.parse(line)), `${line}\n${JSON.stringify(validate.errors)}`).toBe(true)
    expectGolden('progress/events.jsonl', out.text())
  })
})

describe('LineProgressView', () => {
  it('writes a line per step event, failures with their log tail, and the summary', () => {
    const out = sink()
    const view = new LineProgressView(out, { color: false })
    for (const event of applyEvents()) view.onEvent(event)
    view.close()
    const text = out.text()
    expectGolden('progress/line.txt', text)
    expect(text).toContain('[3/6] ✓ us-east-1-prod/alaska-air/2026-01-01/job (1m02s)\n')
    expect(text).toContain('[4/6] ✗ us-east-1-prod/alaska-air/2026-01-02/job failed: Job bf-relabel-2026-alaska-air-20260102-1 failed: BackoffLimitExceeded (1m35s)\n')
    expect(text).not.toContain('\u001b')
  })

  it('colours symbols when asked', () => {
    const out = sink()
    const view = new LineProgressView(out, { color: true })
    for (const event of applyEvents()) view.onEvent(event)
    expect(out.text()).toContain('\u001b[32m✓\u001b[39m')
  })
})

describe('LiveProgressView', () => {
  /** Erasing a block of one or two lines: the cursor's line, then each line above it, cursor to column 1. */
  const ERASE_1 = '\u001b[2K\u001b[1A\u001b[2K\u001b[G'
  const ERASE_2 = '\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G'

  function run(): { text: string; ticks: number; screens: string[] } {
    const out = sink()
    const screen = new Screen()
    const screens: string[] = []
    let seen = 0
    const look = (): void => {
      screen.write(out.text().slice(seen))
      seen = out.text().length
      screens.push(screen.text())
    }
    let now = 0
    let tick: (() => void) | undefined
    let stopped = 0
    const view = new LiveProgressView(out, {
      color: false,
      columns: 100,
      jobs: 10,
      concurrency: 2,
      clock: () => now,
      every: (_ms, fn) => {
        tick = fn
        return () => void stopped++
      },
    })
    const events = applyEvents()
    const times = [0, 0, 0, 1_000, 1_000, 1_000, 2_000, 3_000, 3_000, 3_000, 3_050, 65_000, 99_000, 99_000, 100_000, 104_000, 106_000, 108_000, 110_000, 112_000, 114_000, 120_000, 129_000, 129_000, 129_000]
    events.forEach((event: ApplyEvent, i) => {
      now = times[i] ?? now
      view.onEvent(event)
      if (event.type === 'step_done' && event.address.endsWith('01/job')) {
        now += 5_000
        tick?.()
      }
      look()
    })
    view.close()
    look()
    return { text: out.text(), ticks: stopped, screens }
  }

  it('redraws a block with counts, running steps, ETA, and prints failures above it', () => {
    const { text, ticks } = run()
    expectGolden('progress/live.txt', visible(text))
    // One job took 62 s; 8 wait and one has ~1 s left, over 2 slots: 4m08s, rounded up.
    expect(text).toContain(`${ERASE_1}Applying relabel-2026: 3/6 steps done · 0/2 units · 1 running · ETA ~5m\n  ▸ us-east-1-prod/alaska-air/2026-01-02/job  1m01s\n`)
    // Only the line that changed is drawn again.
    expect(text).toContain('\u001b[1A\u001b[G\u001b[2K\u001b[G  ▸ us-east-1-prod/alaska-air/2026-01-02/job  1m06s\u001b[K\n')
    expect(text).toContain(`${ERASE_2}✗ us-east-1-prod/alaska-air/2026-01-02/job failed:`)
    expect(text.endsWith(`${ERASE_1}Apply failed: 3 succeeded, 1 failed, 2 skipped; 1 step record forgotten.\n  ✗ us-east-1-prod/alaska-air/2026-01-02/job\nFix the cause and run bf apply again: finished steps are not run twice, failed ones run again.\nTook 2m09s.\n`)).toBe(true)
    expect(ticks).toBe(1)
  })

  it('shows after each event the lines printed so far and the block below them', () => {
    const { screens } = run()
    expectGolden('progress/live-screens.txt', screens.map((text, i) => `--- after event ${i + 1}\n${text}\n`).join(''))
  })

  it('draws at most every 100 ms', () => {
    const out = sink()
    let now = 0
    const view = new LiveProgressView(out, { color: false, columns: 80, jobs: 1, concurrency: 1, clock: () => now, every: () => () => {} })
    view.onEvent({ type: 'apply_start', plan: 'p', steps: 3, at: '' })
    const draws = (): number => out.text().split('Applying').length - 1
    view.onEvent({ type: 'step_start', address: 'c/a/1/job', kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    now = 50
    view.onEvent({ type: 'step_start', address: 'c/a/2/job', kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    expect(draws()).toBe(1)
    now = 150
    view.onEvent({ type: 'step_start', address: 'c/a/3/job', kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    expect(draws()).toBe(2)
  })

  it('cuts lines with wide characters to the terminal width, as a terminal counts columns', () => {
    const out = sink()
    const view = new LiveProgressView(out, { color: true, columns: 40, jobs: 2, concurrency: 2, clock: () => 0, every: () => () => {} })
    view.onEvent({ type: 'apply_start', plan: '再処理-2026-顧客データ', steps: 2, at: '' })
    view.onEvent({ type: 'step_start', address: 'c/株式会社テスト顧客/2026-01-01/job', kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    view.onEvent({ type: 'step_start', address: 'c/🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀/2026-01-01/job', kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    view.close()
    const screen = new Screen()
    screen.write(out.text())
    const lines = screen.text().split('\n')
    expect(lines).toEqual([
      'Applying 再処理-2026-顧客データ: 0/2 s…',
      '  ▸ c/株式会社テスト顧客/2026-01-01/jo…',
      '  ▸ c/🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀/2026-01…',
    ])
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(39)
    expect(out.text()).toContain('\u001b[1mApplying 再処理-2026-顧客データ: 0/2 s…\u001b[22m')
  })

  it('shows at most eight running steps', () => {
    const out = sink()
    const view = new LiveProgressView(out, { color: false, columns: 80, jobs: 12, concurrency: 12, clock: () => 0, every: () => () => {} })
    view.onEvent({ type: 'apply_start', plan: 'p', steps: 12, at: '' })
    for (let i = 0; i < 12; i++) view.onEvent({ type: 'step_start', address: `c/a/${i}/job`, kind: 'job', attempt: 1, stateAttempt: 1, fingerprint: 'f', inputs: {}, resumed: false, at: '' })
    view.close()
    const block = out.text().split('Applying').at(-1) ?? ''
    expect(block.split('\n').filter((line) => line.startsWith('  ▸'))).toHaveLength(8)
    expect(block).toContain('  +4 more\n')
  })
})

describe('renderApplySummary', () => {
  it('reports a complete, a failed and an interrupted apply', () => {
    expect(renderApplySummary({ succeeded: 98, failed: 0, skipped: 0 })).toBe('Apply complete: 98 succeeded, 0 failed, 0 skipped.\n')
    expect(renderApplySummary({ succeeded: 95, failed: 1, skipped: 2, failedAddresses: ['us-east-1-prod/acme/2026-01-02/job'] })).toBe(
      'Apply failed: 95 succeeded, 1 failed, 2 skipped.\n  ✗ us-east-1-prod/acme/2026-01-02/job\nFix the cause and run bf apply again: finished steps are not run twice, failed ones run again.\n',
    )
    expect(renderApplySummary({ succeeded: 40, failed: 0, skipped: 58, interrupted: true })).toBe('Apply interrupted: 40 succeeded, 0 failed, 58 skipped.\nRun bf apply again to resume where it stopped.\n')
    expect(renderApplySummary({ succeeded: 0, failed: 0, skipped: 0, forgotten: 12 })).toBe('Apply complete: 0 succeeded, 0 failed, 0 skipped; 12 step records forgotten.\n')
  })
})

describe('time formats', () => {
  it('formats elapsed times and estimates', () => {
    expect([850, 42_000, 62_000, 3_725_000].map(formatElapsed)).toEqual(['0s', '42s', '1m02s', '1h02m'])
    expect([30_000, 60_000, 61_000, 11.5 * 60_000, 65 * 60_000].map(formatEta)).toEqual(['<1m', '~1m', '~2m', '~12m', '~1h05m'])
  })
})
