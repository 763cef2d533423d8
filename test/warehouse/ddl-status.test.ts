import { describe, expect, it } from 'vitest'
import { parseDdlAnswer } from '../../src/warehouse/ddl-status.js'

const row = (host: string, status: string | null, error = ''): string =>
  JSON.stringify({ host, port: 9000, status, error, num_hosts_remaining: '0', num_hosts_active: '3' })

describe('parseDdlAnswer', () => {
  it('reads done, running and failed hosts', () => {
    const body = [row('ch-1', '0'), row('ch-2', null), row('ch-3', '341', 'Unfinished'), row('ch-4', '60', 'Code: 60. DB::Exception: no table')].join('\n') + '\n'
    expect(parseDdlAnswer(body)).toEqual({
      hosts: [
        { host: 'ch-1:9000', state: 'done' },
        { host: 'ch-2:9000', state: 'running' },
        { host: 'ch-3:9000', state: 'running', code: 341, error: 'Unfinished' },
        { host: 'ch-4:9000', state: 'failed', code: 60, error: 'Code: 60. DB::Exception: no table' },
      ],
    })
  })

  it('finds an exception written into a 200 body, as text or as an exception field', () => {
    const text = `${row('ch-1', '0')}\nCode: 159. DB::Exception: Distributed DDL task is not finished on 2 of 3 hosts. (TIMEOUT_EXCEEDED) (version 24.3.1.1)\n`
    expect(parseDdlAnswer(text).bodyError?.code).toBe(159)
    const field = `${row('ch-1', '0')}\n{"exception": "Code: 36. DB::Exception: bad. (BAD_ARGUMENTS)"}\n`
    expect(parseDdlAnswer(field).bodyError).toEqual({ code: 36, message: 'Code: 36. DB::Exception: bad. (BAD_ARGUMENTS)' })
  })

  it('accepts an empty answer (distributed_ddl_output_mode none)', () => {
    expect(parseDdlAnswer('')).toEqual({ hosts: [] })
  })
})
