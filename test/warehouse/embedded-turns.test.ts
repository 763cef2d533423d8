import { describe, expect, it } from 'vitest'
import type { ClientConnection } from '../../src/warehouse/embedded-connection.js'
import { EmbeddedConnection } from '../../src/warehouse/embedded-connection.js'

type CommandParams = Parameters<ClientConnection['command']>[0]

/** An engine that records when each command starts and ends, and fails the ones asked to. */
function slowEngine(log: string[]): ClientConnection {
  const command = async ({ query }: CommandParams) => {
    log.push(`start ${query}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
    log.push(`end ${query}`)
    if (query.startsWith('FAIL')) throw new Error(query)
    return { query_id: query, response_headers: {} }
  }
  return { command } as unknown as ClientConnection
}

describe('embedded connections', () => {
  it('take turns on the engine, in call order, across connections and failures', async () => {
    const log: string[] = []
    const engine = slowEngine(log)
    const first = new EmbeddedConnection(engine, { settings: {} })
    const second = new EmbeddedConnection(engine, { settings: {} })
    const calls = [first.command({ query: 'A' }), second.command({ query: 'FAIL B' }), first.command({ query: 'C' }), second.command({ query: 'D' })]
    const outcomes = await Promise.allSettled(calls)
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(log).toEqual(['start A', 'end A', 'start FAIL B', 'end FAIL B', 'start C', 'end C', 'start D', 'end D'])
  })
})
