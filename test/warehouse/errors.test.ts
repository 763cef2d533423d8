import { describe, expect, it } from 'vitest'
import { redact, translateError, WarehouseError } from '../../src/warehouse/errors.js'

const scope = { cluster: 'us-east-1-prod', endpoint: 'ch.example.com:8443', secrets: ['s3cr3t-pass'] }

function serverError(code: string, type: string, message: string): Error {
  return Object.assign(new Error(message), { code, type })
}

describe('redact', () => {
  it('removes credentials from URLs and every secret', () => {
    expect(redact('GET https://bf:s3cr3t-pass@ch.example.com:8443/?x=1 failed', ['s3cr3t-pass'])).toBe('GET https://ch.example.com:8443/?x=1 failed')
    expect(redact('http://user@host/ and s3cr3t-pass again', ['s3cr3t-pass'])).toBe('http://host/ and *** again')
    expect(redact('nothing to hide', [''])).toBe('nothing to hide')
  })
})

describe('translateError', () => {
  it('names action, cluster, endpoint, code and type, with a hint', () => {
    const error = translateError(serverError('60', 'UNKNOWN_TABLE', 'Table analytics.x does not exist. '), scope, 'counting rows of analytics.x')
    expect(error).toBeInstanceOf(WarehouseError)
    expect(error.message).toBe(
      'counting rows of analytics.x failed on cluster us-east-1-prod (ch.example.com:8443): ClickHouse error 60 UNKNOWN_TABLE: Table analytics.x does not exist. (check the table names of the plan (target, readTable, expected))',
    )
    expect(error).toMatchObject({ cluster: 'us-east-1-prod', endpoint: 'ch.example.com:8443', code: 60, type: 'UNKNOWN_TABLE', uncertain: false })
  })

  it('marks server-side timeouts and unfinished work as uncertain', () => {
    expect(translateError(serverError('159', 'TIMEOUT_EXCEEDED', 'Timeout'), scope, 'x').uncertain).toBe(true)
    expect(translateError(serverError('341', 'UNFINISHED', 'Unfinished'), scope, 'x').uncertain).toBe(true)
  })

  it('explains transport failures and whether the statement may have run', () => {
    const refused = translateError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), scope, 'connecting')
    expect(refused.message).toBe('connecting failed on cluster us-east-1-prod (ch.example.com:8443): connection refused: is the server up, and is the URL right?')
    expect(refused.uncertain).toBe(false)
    const timeout = translateError(new Error('Timeout error.'), scope, 'submitting')
    expect(timeout.uncertain).toBe(true)
    expect(timeout.message).toMatch(/may still be running on the server/)
    expect(translateError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), scope, 'x').uncertain).toBe(true)
  })

  it('never repeats the password or URL credentials', () => {
    const error = translateError(new Error('request to https://bf:s3cr3t-pass@ch.example.com:8443/ failed'), scope, 'connecting')
    expect(error.message).not.toContain('s3cr3t-pass')
    expect(error.message).not.toContain('bf:')
  })

  it('passes a WarehouseError through unchanged', () => {
    const original = new WarehouseError('already explained', { cluster: 'c', endpoint: 'e', uncertain: false })
    expect(translateError(original, scope, 'x')).toBe(original)
  })
})
