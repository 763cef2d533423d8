import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { createWarehouseClient } from '../../src/warehouse/client-factory.js'
import { loadChdb } from '../../src/warehouse/embedded-connection.js'
import { openWarehouse } from '../../src/warehouse/open-warehouse.js'
import { embeddedCluster, httpCluster } from './fixtures.js'

const missingModule = async (): Promise<never> => {
  throw Object.assign(new Error("Cannot find package 'chdb'"), { code: 'ERR_MODULE_NOT_FOUND' })
}

describe('opening a warehouse', () => {
  it('explains how to install chdb when an embedded cluster needs it', async () => {
    await expect(loadChdb('local', missingModule)).rejects.toThrow(UserError)
    await expect(openWarehouse(embeddedCluster('/tmp/bf-nowhere'), { importer: missingModule })).rejects.toThrow(
      'cluster local uses clickhouse.embedded, which needs the optional package chdb: install it with `npm install chdb`',
    )
  })

  it('resolves ${env:NAME} in the password, and names a missing variable without any value', async () => {
    await expect(openWarehouse(httpCluster('http://127.0.0.1:9', { password: '${env:BF_TEST_CH_PASSWORD}' }), { env: {} })).rejects.toThrow(
      'environment variable BF_TEST_CH_PASSWORD is not set; clusters.us-east-1-prod.clickhouse.password uses it',
    )
    const { client, scope } = await createWarehouseClient(httpCluster('http://127.0.0.1:9', { password: '${env:P}' }), { env: { P: 'pw-from-env' } })
    expect(scope.secrets).toEqual(['pw-from-env'])
    await client.close()
  })

  it('shows only host and port of a URL carrying credentials', async () => {
    const { client, scope } = await createWarehouseClient(httpCluster('https://bf:p%40ss@ch.example.com/'))
    expect(scope).toEqual({ cluster: 'us-east-1-prod', endpoint: 'ch.example.com:443', secrets: ['p@ss'] })
    await client.close()
  })

  it('refuses URLs that are not http(s) and setting names that are not names', async () => {
    await expect(createWarehouseClient(httpCluster('tcp://ch.example.com:9000'))).rejects.toThrow(/must start with http/)
    await expect(createWarehouseClient(httpCluster('not a url'))).rejects.toThrow(/not a valid URL/)
    await expect(createWarehouseClient(httpCluster('http://h', { settings: { 'a&b': 1 } }))).rejects.toThrow(/invalid setting name/)
  })
})
