import { describe, expect, it } from 'vitest'
import { waitFor } from './wait-for.js'

describe('waitFor', () => {
  it('resolves with the first value that is not undefined, null or false, sync or async', async () => {
    let checks = 0
    expect(await waitFor(() => (++checks >= 3 ? `after ${checks}` : false), { what: 'three checks', intervalMs: 1 })).toBe('after 3')
    expect(await waitFor(async () => 0, { what: 'zero' })).toBe(0)
  })

  it('fails after its deadline, naming what it waited for', async () => {
    const started = Date.now()
    await expect(waitFor(() => undefined, { what: 'the marker file', timeoutMs: 50, intervalMs: 5 })).rejects.toThrow(/^timed out after \d+ ms \(\d+ checks\) waiting for the marker file$/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(50)
    await expect(waitFor(() => null, { what: () => 'a late description', timeoutMs: 5 })).rejects.toThrow(/waiting for a late description$/)
  })

  it('fails at once when the condition throws', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('no such table')
        },
        { what: 'a row', timeoutMs: 10_000 },
      ),
    ).rejects.toThrow('no such table')
  })
})
