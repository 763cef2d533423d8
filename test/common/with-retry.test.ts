import { describe, expect, it } from 'vitest'
import { withRetry } from '../../src/common/with-retry.js'

const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 }

describe('withRetry', () => {
  it('tries a transient failure again, up to the policy attempts, telling each retry', async () => {
    let calls = 0
    const retries: number[] = []
    const failing = withRetry(async () => {
      calls++
      throw new Error(`try ${calls}`)
    }, policy, { isTransient: () => true, onRetry: (_error, _delay, retry) => retries.push(retry) })
    await expect(failing).rejects.toThrow('try 3')
    expect(retries).toEqual([1, 2])
  })

  it('gives up at once on a failure that is not transient, and returns a later success', async () => {
    let calls = 0
    await expect(withRetry(async () => Promise.reject(new Error(`final ${++calls}`)), policy, { isTransient: () => false })).rejects.toThrow('final 1')
    let tries = 0
    expect(await withRetry(async () => (++tries < 2 ? Promise.reject(new Error('flaky')) : 'done'), policy, { isTransient: () => true })).toBe('done')
  })

  it('rejects with the signal reason once aborted, trying no more', async () => {
    const controller = new AbortController()
    let calls = 0
    const run = withRetry(async () => {
      calls++
      controller.abort(new Error('stopped'))
      throw new Error('transient')
    }, { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 1_000 }, { isTransient: () => true, signal: controller.signal })
    await expect(run).rejects.toThrow('stopped')
    expect(calls).toBe(1)
  })
})
