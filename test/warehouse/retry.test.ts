import { describe, expect, it } from 'vitest'
import { translateError } from '../../src/warehouse/errors.js'
import type { WarehouseError } from '../../src/warehouse/errors.js'
import { DEFAULT_RETRY_POLICY, isRetryableRead, isRetryableWrite, withRetries } from '../../src/warehouse/retry.js'
import type { RetryNotice } from '../../src/warehouse/retry.js'

const scope = { cluster: 'c', endpoint: '127.0.0.1:8123', secrets: [] }

function serverError(code: number, type: string, message = 'x'): WarehouseError {
  return translateError(Object.assign(new Error(message), { code: String(code), type }), scope, 'x')
}

function transportError(code: string | undefined, message: string): WarehouseError {
  return translateError(Object.assign(new Error(message), code ? { code } : {}), scope, 'x')
}

describe('which warehouse failures are retried', () => {
  it('reads: overload, lost connections, timeouts and error pages; not mistakes that stay', () => {
    for (const code of [3, 159, 164, 202, 203, 209, 210, 242, 252, 285, 319, 425, 999, 1002]) expect(isRetryableRead(serverError(code, 'T')), `code ${code}`).toBe(true)
    expect(isRetryableRead(serverError(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded: would use 28.00 GiB'))).toBe(true)
    expect(isRetryableRead(serverError(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (for query) exceeded: would use 9.31 GiB'))).toBe(false)
    for (const code of [60, 62, 81, 192, 193, 194, 497, 516, 701]) expect(isRetryableRead(serverError(code, 'T')), `code ${code}`).toBe(false)
    expect(isRetryableRead(transportError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(true)
    expect(isRetryableRead(transportError('ECONNRESET', 'socket hang up'))).toBe(true)
    expect(isRetryableRead(transportError(undefined, 'Timeout error.'))).toBe(true)
    expect(isRetryableRead(transportError(undefined, '<html><body><h1>503 Service Unavailable</h1></body></html>'))).toBe(true)
    expect(isRetryableRead(transportError('ENOTFOUND', 'getaddrinfo ENOTFOUND'))).toBe(false)
    expect(isRetryableRead(transportError('CERT_HAS_EXPIRED', 'certificate has expired'))).toBe(false)
    expect(isRetryableRead(new Error('not from the warehouse'))).toBe(false)
  })

  it('writes: only failures proving the statement never ran', () => {
    expect(isRetryableWrite(transportError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(true)
    for (const code of [164, 202, 203, 242, 252]) expect(isRetryableWrite(serverError(code, 'T')), `code ${code}`).toBe(true)
    for (const code of [3, 159, 209, 210, 285, 319, 341, 425, 999, 1002]) expect(isRetryableWrite(serverError(code, 'T')), `code ${code}`).toBe(false)
    expect(isRetryableWrite(transportError('ECONNRESET', 'socket hang up'))).toBe(false)
    expect(isRetryableWrite(transportError(undefined, 'Timeout error.'))).toBe(false)
    expect(isRetryableWrite(transportError(undefined, '<html><body><h1>502 Bad Gateway</h1></body></html>'))).toBe(false)
  })

  it('shows an error page in one line, without its markup', () => {
    const error = transportError(undefined, '<html>\r\n<head><title>503 Service Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Unavailable</h1></center>\r\n</body>\r\n</html>')
    expect(error.message).toBe('x failed on cluster c (127.0.0.1:8123): the server answered with an HTTP error page, not ClickHouse: 503 Service Unavailable')
    expect(transportError(undefined, '<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>').message).toMatch(/not ClickHouse: 502 Bad Gateway nginx$/)
  })
})

describe('backoff', () => {
  it('tries a warehouse call five times, from half a second up to thirty', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 })
  })

  it('retries up to the attempts, telling each retry, then throws the last failure', async () => {
    const notices: RetryNotice[] = []
    let calls = 0
    const failing = withRetries(
      async () => {
        calls++
        throw transportError('ECONNRESET', `reset ${calls}`)
      },
      isRetryableRead,
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, onRetry: (notice) => notices.push(notice) },
    )
    await expect(failing).rejects.toThrow(/connection lost/)
    expect(calls).toBe(3)
    expect(notices.map((notice) => notice.retry)).toEqual([1, 2])
  })

  it('never retries what the predicate refuses', async () => {
    let calls = 0
    const refused = withRetries(
      async () => {
        calls++
        throw serverError(516, 'AUTHENTICATION_FAILED')
      },
      isRetryableRead,
      { attempts: 5, baseDelayMs: 1 },
    )
    await expect(refused).rejects.toThrow(/516/)
    expect(calls).toBe(1)
  })
})
