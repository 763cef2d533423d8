import stringWidth from 'string-width'
import { describe, expect, it } from 'vitest'
import { fitColumns } from '../../src/views/fit-columns.js'

describe('fitColumns', () => {
  it('leaves text that fits as it is', () => {
    expect(fitColumns('us-east-1-prod/acme', 19)).toBe('us-east-1-prod/acme')
    expect(fitColumns('顧客', 4)).toBe('顧客')
  })

  it('cuts plain text with an ellipsis in the last column', () => {
    expect(fitColumns('us-east-1-prod/acme', 10)).toBe('us-east-1…')
  })

  it('counts CJK characters and emoji as two columns, never ending past the width', () => {
    for (const text of ['c/顧客名前テスト/2026-01-01', 'c/🚀🚀🚀🚀🚀🚀/job', 'c/👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦/job']) {
      for (let columns = 4; columns <= 12; columns++) {
        const fitted = fitColumns(text, columns)
        expect(stringWidth(fitted), `${text} in ${columns}`).toBeLessThanOrEqual(columns)
        expect(stringWidth(fitted), `${text} in ${columns}`).toBeGreaterThanOrEqual(columns - 1)
        expect(fitted.endsWith('…')).toBe(true)
      }
    }
    expect(fitColumns('ab顧客cd', 5)).toBe('ab顧…')
    expect(fitColumns('ab顧客cd', 4)).toBe('ab…')
  })

  it('keeps a grapheme whole: a family emoji is not cut into people', () => {
    expect(fitColumns('x👩‍👩‍👧‍👦y🚀z', 5)).toBe('x👩‍👩‍👧‍👦y…')
    expect(fitColumns('x👩‍👩‍👧‍👦y🚀z', 3)).toBe('x…')
  })

  it('does not count colour codes, and closes them where it cuts', () => {
    const bold = '\u001b[1mApplying 顧客顧客顧客\u001b[22m'
    const fitted = fitColumns(bold, 12)
    expect(stringWidth(fitted)).toBe(12)
    expect(fitted).toBe('\u001b[1mApplying 顧\u001b[22m…')
  })
})
