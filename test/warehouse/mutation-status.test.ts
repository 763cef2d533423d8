import { describe, expect, it } from 'vitest'
import { mutationStatus } from '../../src/warehouse/mutations.js'
import type { MutationRow } from '../../src/warehouse/mutations.js'

const row = (host: string, extra: Partial<MutationRow> = {}): MutationRow => ({
  host,
  mutationId: `m-${host}`,
  isDone: true,
  partsToDo: 0,
  latestFailReason: '',
  latestFailTime: 0,
  createTime: 0,
  tag: 1,
  ...extra,
})

describe('mutationStatus', () => {
  it('is undefined when no replica has the mutation', () => {
    expect(mutationStatus([], 3)).toBeUndefined()
  })

  it('is done only when every expected replica reports it done', () => {
    expect(mutationStatus([row('a'), row('b'), row('c')], 3)?.done).toBe(true)
    expect(mutationStatus([row('a'), row('b')], 3)?.done).toBe(false)
    expect(mutationStatus([row('a'), row('b'), row('c', { isDone: false, partsToDo: 2 })], 3)?.done).toBe(false)
  })

  it('merges several matches on one host: done when all are, parts added, newest failure kept', () => {
    const status = mutationStatus(
      [
        row('a', { mutationId: 'm1', isDone: true, latestFailReason: 'old', latestFailTime: 100 }),
        row('a', { mutationId: 'm2', isDone: false, partsToDo: 4, latestFailReason: 'new', latestFailTime: 200 }),
      ],
      1,
    )
    expect(status).toEqual({
      replicas: 1,
      done: false,
      hosts: [{ host: 'a', mutationId: 'm1,m2', isDone: false, partsToDo: 4, latestFailReason: 'new', latestFailTime: '1970-01-01T00:03:20.000Z' }],
    })
  })
})
