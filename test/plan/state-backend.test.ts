import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPlanText } from '../../src/plan/load.js'

const FIXTURE = 'test/fixtures/valid/sql-job.yaml'
const base = readFileSync(FIXTURE, 'utf8')

/** The fixture plan with its `state` section replaced, and a second cluster. */
function withState(state: string): string {
  return `${base.replace('state:\n  path: ../state/sql\n', state)}  eu:\n    clickhouse:\n      url: https://eu.example.com:8443\n    customers: [initech]\n`
}

function load(state: string) {
  return loadPlanText(withState(state), resolve(FIXTURE))
}

describe('state backends in a plan', () => {
  it('default to files, with or without backend: file', () => {
    expect(load('').spec.state).toEqual({ backend: 'file' })
    expect(load('state:\n  backend: file\n  path: ../state/sql\n').spec).toMatchObject({ state: { backend: 'file' }, statePath: resolve(FIXTURE, '../../state/sql') })
  })

  it('resolve the clickhouse backend with its defaults: the first cluster, bf.bf_state, a KeeperMap lease of 60 s', () => {
    expect(load('state:\n  backend: clickhouse\n').spec.state).toEqual({ backend: 'clickhouse', cluster: 'local', database: 'bf', table: 'bf_state', lock: 'keeper-map', leaseMs: 60_000 })
  })

  it('resolve every key of the clickhouse backend, a Kubernetes lease\'s kubeconfig relative to the plan', () => {
    const state = 'state:\n  backend: clickhouse\n  cluster: eu\n  database: team\n  table: backfill_state\n  lease: 2m\n  lock:\n    kubernetes: { context: prod, namespace: backfills, kubeconfig: ./kube.yaml }\n'
    expect(load(state).spec.state).toEqual({
      backend: 'clickhouse',
      cluster: 'eu',
      database: 'team',
      table: 'backfill_state',
      lock: { kubernetes: { context: 'prod', namespace: 'backfills', kubeconfig: resolve(FIXTURE, '../kube.yaml') } },
      leaseMs: 120_000,
    })
  })

  it('refuse a state cluster that is not one of the plan\'s, at its line and column', () => {
    expect(() => load('state:\n  backend: clickhouse\n  cluster: loca\n')).toThrow(/sql-job\.yaml:\d+:12: .*state\.cluster "loca" is not a cluster of this plan[\s\S]*did you mean "local"\?/)
  })

  it('refuse clickhouse keys on the file backend, and names that are not identifiers', () => {
    expect(() => load('state:\n  path: x\n  table: bf_state\n')).toThrow(/state\.table applies to the clickhouse backend, and this state uses files/)
    expect(() => load('state:\n  backend: clickhouse\n  table: bf-state\n')).toThrow(/state\.table/)
    expect(() => load('state:\n  backend: clickhouse\n  lock: zookeeper\n')).toThrow(/state\.lock/)
  })
})
