import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/engine/events.js'
import { leaseLostMessage } from '../../src/views/progress/apply-summary.js'
import { JsonEventsView } from '../../src/views/progress/json-events.js'
import { LineProgressView } from '../../src/views/progress/line-progress.js'

const schema = JSON.parse(readFileSync(new URL('../../schemas/apply-event.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

const REASON = "lost the state's lease in Lease bf-p in namespace backfills: it is now held by bob@ci (pid 7, apply, since 2026-01-15T10:00:00.000Z, lock id l-2)"
const lost: ApplyEvent = { type: 'lease_lost', reason: REASON, running: ['local/acme/2026-01-01/job', 'local/acme/2026-01-02/job'], at: '2026-01-15T10:01:00.000Z' }

function written(view: (sink: { write(text: string): void }) => { onEvent(event: ApplyEvent): void }): string {
  let text = ''
  view({ write: (chunk) => void (text += chunk) }).onEvent(lost)
  return text
}

describe('a lost lease as the apply shows it', () => {
  it('is one schema-valid JSON event and one progress line', () => {
    const json = JSON.parse(written((sink) => new JsonEventsView(sink)))
    expect(json).toEqual({ type: 'lease_lost', reason: REASON, running: lost.type === 'lease_lost' ? lost.running : [], at: lost.at })
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ type: 'lease_lost', at: lost.at })).toBe(false)
    expect(written((sink) => new LineProgressView(sink, { color: false }))).toBe(`Lease lost — ${REASON}. Nothing more starts or is recorded; 2 steps left running for the next apply to reconcile.\n`)
  })

  it('ends bf apply with one line: what happened, what was running, and what the next apply does', () => {
    const running = Array.from({ length: 7 }, (_, i) => `local/acme/2026-01-0${i + 1}/job`)
    expect(leaseLostMessage({ reason: REASON, running })).toBe(
      `bf stopped, starting and recording nothing more: ${REASON}. Running then: ${running.slice(0, 5).join(', ')} and 2 more; ` +
        'the next bf apply reconciles them with what they did before it goes on, and runs no finished step twice.',
    )
    expect(leaseLostMessage({ reason: REASON, running: [] })).toBe(`bf stopped, starting and recording nothing more: ${REASON}. No step was running; run bf apply again to go on.`)
  })
})
