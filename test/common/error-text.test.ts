import { describe, expect, it } from 'vitest'
import { errorMessage } from '../../src/common/error-text.js'

describe('errorMessage', () => {
  it("is an Error's message, without its name or stack", () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input')
  })

  it('names an Error whose message is empty instead of showing nothing', () => {
    expect(errorMessage(new RangeError(''))).toBe('RangeError')
  })

  it('is the message of an error-like object that is no Error', () => {
    expect(errorMessage({ message: 'refused', code: 'ECONNREFUSED' })).toBe('refused')
  })

  it('shows any other thrown value as text', () => {
    expect(errorMessage('plain text')).toBe('plain text')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(undefined)).toBe('undefined')
    expect(errorMessage(null)).toBe('null')
    expect(errorMessage({ message: 7 })).toBe('[object Object]')
  })

  it('never throws, even for a value that cannot become a string', () => {
    expect(errorMessage(Object.create(null))).toBe('[object Object]')
    expect(errorMessage(Symbol('s'))).toBe('Symbol(s)')
  })
})
