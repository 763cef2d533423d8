import { describe, expect, it } from 'vitest'
import { canonicalJson, fingerprint, fingerprintReusing } from '../../src/engine/fingerprint.js'
import { jsonEqual } from '../../src/engine/json-equal.js'

const window = { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }
const inputs = { kind: 'sql', customer: 'acme', window, sql: 'INSERT INTO t SELECT 1' }

describe('jsonEqual', () => {
  it('ignores key order and compares nested values', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 'x', null] } }, { b: { c: [1, 'x', null] }, a: 1 })).toBe(true)
  })

  it('counts a member set to undefined as absent, as JSON and fingerprints do', () => {
    expect(jsonEqual({ a: 1, b: undefined } as never, { a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined } as never)).toBe(true)
    expect(fingerprint({ a: 1, b: undefined } as never)).toBe(fingerprint({ a: 1 }))
  })

  it.each([
    [{ a: 1 }, { a: 2 }],
    [{ a: 1 }, { a: 1, b: 2 }],
    [{ a: 1, b: 2 }, { a: 1 }],
    [{ a: [1, 2] }, { a: [2, 1] }],
    [{ a: [1] }, { a: { 0: 1 } }],
    [{ a: null }, { a: {} }],
    [{ a: '1' }, { a: 1 }],
  ])('tells %j from %j', (a, b) => {
    expect(jsonEqual(a, b)).toBe(false)
    expect(jsonEqual(b, a)).toBe(false)
  })
})

describe('fingerprintReusing', () => {
  it('takes the recorded fingerprint when the recorded inputs are equal', () => {
    const recorded = { inputs: { sql: inputs.sql, window: { ...window }, customer: 'acme', kind: 'sql' }, fingerprint: 'recorded-hash' }
    expect(fingerprintReusing(inputs, recorded)).toBe('recorded-hash')
  })

  it('hashes the inputs when they changed, or when nothing was recorded', () => {
    const changed = { inputs: { ...inputs, sql: 'INSERT INTO t SELECT 2' }, fingerprint: 'recorded-hash' }
    expect(fingerprintReusing(inputs, changed)).toBe(fingerprint(inputs))
    expect(fingerprintReusing(inputs, { fingerprint: 'no-inputs' })).toBe(fingerprint(inputs))
    expect(fingerprintReusing(inputs, undefined)).toBe(fingerprint(inputs))
  })
})

describe('fingerprint', () => {
  it('is the hash of the canonical JSON, whatever the key order', () => {
    expect(canonicalJson({ b: 'x"y', a: [2, { d: 1, c: null }] })).toBe('{"a":[2,{"c":null,"d":1}],"b":"x\\"y"}')
    expect(fingerprint({ b: 1, a: 2 })).toBe(fingerprint({ a: 2, b: 1 }))
    expect(fingerprint({ a: 'x' })).not.toBe(fingerprint({ a: 'y' }))
    expect(fingerprint(inputs)).toMatch(/^[0-9a-f]{16}$/)
  })
})
