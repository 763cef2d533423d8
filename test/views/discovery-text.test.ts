import { describe, expect, it } from 'vitest'
import { discoveryLines } from '../../src/views/discovery-text.js'

describe('discoveryLines', () => {
  it('names new and gone customers, cutting long lists with "and N more"', () => {
    const many = Array.from({ length: 1_203 }, (_, i) => `c-${i + 1}`)
    expect(discoveryLines([{ cluster: 'eu', source: 'data', found: 12_000, new: many, gone: ['we"ird'] }])).toEqual([
      'Cluster eu: 12,000 customers found (1,203 new: c-1, c-2, c-3, c-4, c-5 and 1,198 more; 1 gone: "we\\"ird")',
    ])
  })

  it('says when nothing changed, and when the list came from the state', () => {
    expect(discoveryLines([
      { cluster: 'eu', source: 'data', found: 1, new: [], gone: [] },
      { cluster: 'us', source: 'state', found: 3, new: [], gone: [] },
    ])).toEqual(['Cluster eu: 1 customer found (none new or gone)', 'Cluster us: 3 customers from the state, not discovered again (--refresh=false)'])
    expect(discoveryLines([{ cluster: 'us', source: 'state', found: 2, new: [], gone: ['excluded'] }])).toEqual([
      'Cluster us: 2 customers from the state, not discovered again (--refresh=false; 1 gone: excluded)',
    ])
    expect(discoveryLines(undefined)).toEqual([])
  })
})
