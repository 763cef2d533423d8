import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { byCustomerFromSnapshot } from '../../src/state/read-by-customer.js'
import { readStateDocument, stateDocumentChunks } from '../../src/state/state-document.js'
import type { StateSnapshot, StepRecord } from '../../src/state/model.js'
import { validateState } from '../support/state-schema.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

const record = (address: string, extra: Partial<StepRecord> = {}): StepRecord => ({
  address,
  kind: 'job',
  status: 'succeeded',
  attempt: 1,
  fingerprint: 'fp1',
  startedAt: '2026-01-15T00:00:00.000Z',
  finishedAt: '2026-01-15T00:01:00.000Z',
  outputs: { rows: 3 },
  ...extra,
})

const STATE: StateSnapshot = {
  formatVersion: 1,
  lineage: '5f0c3f0e-1111-4222-8333-444455556666',
  serial: 7,
  plan: 'relabel-2026',
  steps: new Map([record('local/b/2026-01-01/job'), record('local/a/2026-01-02/verify', { kind: 'verify' }), record('local/a/2026-01-01/job'), record('local/check', { kind: 'check' })].map((step) => [step.address, step])),
}

async function documentText(state: StateSnapshot): Promise<string> {
  let text = ''
  for await (const chunk of stateDocumentChunks(state.plan, byCustomerFromSnapshot(state))) text += chunk
  return text
}

async function fileWith(text: string): Promise<string> {
  const file = path.join(await tempDir(), 'state.json')
  await writeFile(file, text)
  return file
}

async function problemOf(text: string): Promise<string> {
  const file = await fileWith(text)
  const error = await readStateDocument(file).then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(UserError)
  return (error as Error).message.replaceAll(file, 'FILE')
}

describe('the state document of bf state pull and push', () => {
  it('lists a step per line, each customer together and sorted, and reads back as the same state', async () => {
    const text = await documentText(STATE)
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toBe('{"formatVersion":1,"lineage":"5f0c3f0e-1111-4222-8333-444455556666","serial":7,"plan":"relabel-2026","steps":[')
    expect(lines.slice(1, -1).map((line) => (JSON.parse(line.replace(/,$/, '')) as StepRecord).address)).toEqual([
      'local/b/2026-01-01/job',
      'local/a/2026-01-01/job',
      'local/a/2026-01-02/verify',
      'local/check',
    ])
    expect(lines.at(-1)).toBe(']}')
    expect(validateState(JSON.parse(text)), JSON.stringify(validateState.errors)).toBe(true)
    expect(await readStateDocument(await fileWith(text))).toEqual(STATE)
  })

  it('reads the document reformatted by hand', async () => {
    const whole = JSON.parse(await documentText(STATE)) as object
    expect(await readStateDocument(await fileWith(JSON.stringify(whole, null, 2)))).toEqual(STATE)
  })

  it('an empty state is an empty list of steps', async () => {
    const empty = { ...STATE, steps: new Map() }
    const text = await documentText(empty)
    expect(text).toBe('{"formatVersion":1,"lineage":"5f0c3f0e-1111-4222-8333-444455556666","serial":7,"plan":"relabel-2026","steps":[]}\n')
    expect(await readStateDocument(await fileWith(text))).toEqual(empty)
  })

  it('refuses what is not a bf state in one line that says what is wrong', async () => {
    const hint = 'bf state pull PLAN > FILE writes one'
    expect(await problemOf('version: 1\nname: relabel-2026\n')).toMatch(new RegExp(`^FILE is not a bf state \\(not valid JSON: .*\\); ${hint}$`))
    expect(await problemOf('[]')).toBe(`FILE is not a bf state (not a JSON object); ${hint}`)
    expect(await problemOf('{"format_version":"1","plan":{"name":"relabel-2026"}}')).toBe(`FILE is not a bf state (missing or invalid "formatVersion"); ${hint}`)
    expect(await problemOf('{"formatVersion":1,"serial":3,"plan":"p","steps":[]}')).toBe(`FILE is not a bf state (no "lineage"); ${hint}`)
    const text = await documentText(STATE)
    expect(await problemOf(text.replace('"kind":"verify"', '"kind":"vacuum"'))).toBe(`FILE is not a bf state (step "local/a/2026-01-02/verify" has an unknown kind "vacuum"); ${hint}`)
    expect(await problemOf(text.replace(',"attempt":1', '').replace(/\n/g, ' '))).toBe(`FILE is not a bf state (step "local/b/2026-01-01/job" has no valid "attempt"); ${hint}`)
    const twice = text.replace('local/a/2026-01-01/job', 'local/b/2026-01-01/job')
    expect(await problemOf(twice)).toBe(`FILE is not a bf state (step "local/b/2026-01-01/job" is given twice); ${hint}`)
    expect(await problemOf(text.replace('"formatVersion":1', '"formatVersion":2'))).toBe('FILE: state written by a newer bf (format 2); upgrade bf')
  })

  it('says so when there is no such file', async () => {
    const missing = path.join(await tempDir(), 'missing.json')
    await expect(readStateDocument(missing)).rejects.toThrow(`${missing}: no such file`)
  })
})
