import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { UserError } from '../errors.js'
import { resolveEnvRefs } from '../plan/env-refs.js'
import type { ClusterSpec, SettingValue } from '../plan/model.js'
import { EmbeddedConnection, loadChdb, openChdbConnection } from './embedded-connection.js'
import type { ModuleImporter } from './embedded-connection.js'
import type { ErrorScope } from './errors.js'
import { isIdentifier } from './identifiers.js'

export interface ClientOptions {
  env?: NodeJS.ProcessEnv
  requestTimeoutMs?: number
  /** Loads `chdb/connection` (tests replace it to simulate a missing package). */
  importer?: ModuleImporter
}

export interface WarehouseClient {
  client: ClickHouseClient
  scope: ErrorScope
  embedded: boolean
}

/** Long enough for grouped refresh queries over a large table; mutations are never waited for. */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000

function resolvedSettings(cluster: ClusterSpec, env: NodeJS.ProcessEnv): Record<string, SettingValue> {
  const settings: Record<string, SettingValue> = {}
  for (const [name, value] of Object.entries(cluster.clickhouse.settings)) {
    if (!isIdentifier(name)) throw new UserError(`cluster ${cluster.name}: clickhouse.settings has an invalid setting name ${JSON.stringify(name)}`)
    settings[name] = typeof value === 'string' ? resolveEnvRefs(value, env, `clusters.${cluster.name}.clickhouse.settings.${name}`) : value
  }
  return settings
}

interface HttpTarget {
  url: string
  endpoint: string
  username?: string
  password?: string
}

/** Splits credentials out of the URL, so only `username`/`password` carry them and the URL can be shown. */
function httpTarget(cluster: ClusterSpec, rawUrl: string, env: NodeJS.ProcessEnv): HttpTarget {
  const where = `clusters.${cluster.name}.clickhouse`
  let url: URL
  try {
    url = new URL(resolveEnvRefs(rawUrl, env, `${where}.url`))
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`${where}.url is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`${where}.url must start with http:// or https://, not ${url.protocol}//`)
  const fromUrl = {
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
  }
  url.username = ''
  url.password = ''
  const username = cluster.clickhouse.username === undefined ? fromUrl.username : resolveEnvRefs(cluster.clickhouse.username, env, `${where}.username`)
  const password = cluster.clickhouse.password === undefined ? fromUrl.password : resolveEnvRefs(cluster.clickhouse.password, env, `${where}.password`)
  return {
    url: url.toString(),
    endpoint: url.port === '' ? `${url.hostname}:${url.protocol === 'https:' ? 443 : 80}` : url.host,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  }
}

/**
 * The ClickHouse client of one cluster: HTTP(S) for `clickhouse.url`, the embedded engine
 * (loaded on demand) for `clickhouse.embedded`. The only place a client is created.
 */
export async function createWarehouseClient(cluster: ClusterSpec, options: ClientOptions = {}): Promise<WarehouseClient> {
  const env = options.env ?? process.env
  const spec = cluster.clickhouse
  const settings = resolvedSettings(cluster, env)
  const database = spec.database === undefined ? undefined : resolveEnvRefs(spec.database, env, `clusters.${cluster.name}.clickhouse.database`)
  const common = {
    application: 'bf',
    // bf reports every failure itself, naming the cluster; the client's own console logging would repeat it.
    log: { level: ClickHouseLogLevel.OFF },
    request_timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    clickhouse_settings: settings as ClickHouseSettings,
    ...(database === undefined ? {} : { database }),
  }

  if (spec.embedded !== undefined) {
    const chdb = await loadChdb(cluster.name, options.importer)
    const connection = new EmbeddedConnection(openChdbConnection(chdb, spec.embedded, cluster.name), { settings, ...(database === undefined ? {} : { database }) })
    return {
      client: createClient({ ...common, connection }),
      scope: { cluster: cluster.name, endpoint: `embedded ${spec.embedded}`, secrets: [] },
      embedded: true,
    }
  }
  if (spec.url === undefined) throw new UserError(`cluster ${cluster.name}: clickhouse needs either url or embedded`)

  const target = httpTarget(cluster, spec.url, env)
  const client = createClient({
    ...common,
    url: target.url,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    // Refresh binds every customer id as one array: past the URL budget, send parameters in the body.
    use_multipart_params_auto: true,
  })
  return {
    client,
    scope: { cluster: cluster.name, endpoint: target.endpoint, secrets: target.password ? [target.password] : [] },
    embedded: false,
  }
}
