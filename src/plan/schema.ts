import { DEFAULTS } from './defaults.js'
import { DURATION_PATTERN } from './duration.js'
import { SIZE_PATTERN } from './size.js'
import type { JsonSchema } from './json-schema.js'
import { SCHEDULE_WINDOW_PATTERN } from './schedule-window.js'
import { ENV_NAME_PATTERN, IDENTIFIER_PATTERN, KUBERNETES_NAME_PATTERN, SLUG_PATTERN, TIMESTAMP_PATTERN, URL_PATTERN } from './patterns.js'

/** The plan language versions this bf reads. */
export const SUPPORTED_VERSIONS = [1] as const

const ref = (name: string, description: string, extra: JsonSchema = {}): JsonSchema => ({ $ref: `#/$defs/${name}`, description, ...extra })

const identifier = (title: string, description: string): JsonSchema => ({ title, description, type: 'string', pattern: IDENTIFIER_PATTERN })

const tableColumns = (what: string): Record<string, JsonSchema> => ({
  timeColumn: ref('columnName', `Column of ${what} holding the event time that batches and windows are cut on.`),
  customerColumn: ref('columnName', `Column of ${what} holding the customer id.`),
  keyColumns: {
    description: `Columns of ${what} that identify one row; duplicates and completeness are counted on them.`,
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { $ref: '#/$defs/columnName' },
  },
})

/** `kind: X` requires the section `X` and every other kind forbids it. */
const sectionForKind = (kind: string): JsonSchema => ({
  if: { properties: { kind: { const: kind } }, required: ['kind'] },
  then: { required: [kind] },
  else: { not: { required: [kind] } },
})

const window = (description: string): JsonSchema => ({
  description,
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    start: ref('timestamp', 'First instant included (RFC 3339, UTC). Defaults to the enclosing window\'s start.'),
    end: ref('timestamp', 'First instant excluded (RFC 3339, UTC). Defaults to the enclosing window\'s end.'),
  },
})

const settings = (description: string): JsonSchema => ({
  description,
  type: 'object',
  propertyNames: { $ref: '#/$defs/settingName' },
  additionalProperties: { $ref: '#/$defs/scalar', description: 'Value of the setting.' },
})

const check: JsonSchema = {
  title: 'check',
  description: 'A query returning one value per customer and batch, and what that value must be.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'sql', 'expect'],
  properties: {
    name: ref('slug', 'Names the check in messages and results.'),
    customers: {
      description: 'Customers the check runs for. Defaults to every customer.',
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { $ref: '#/$defs/customerId' },
    },
    sql: {
      description: 'One SELECT returning one value. May use the bound parameters {customer:String}, {start:DateTime}, {end:DateTime} and {cluster:String}.',
      type: 'string',
      minLength: 1,
    },
    expect: {
      description: 'What the value must be: exactly one of equals, max, min or between.',
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        equals: ref('scalar', 'The value must equal this.'),
        max: { description: 'The value must be at most this.', type: 'number' },
        min: { description: 'The value must be at least this.', type: 'number' },
        between: {
          title: 'pair of numbers [low, high]',
          description: 'The value must lie between the two numbers, both included.',
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: { type: 'number' },
        },
      },
    },
  },
}

const customerList: JsonSchema = {
  title: 'list of customers',
  description: 'Customers to backfill on this cluster, in order.',
  type: 'array',
  minItems: 1,
  items: {
    title: 'customer',
    oneOf: [
      { $ref: '#/$defs/customerId' },
      {
        title: 'customer with its own window',
        description: 'A customer whose range differs from its cluster\'s.',
        type: 'object',
        additionalProperties: false,
        required: ['id', 'window'],
        properties: {
          id: ref('customerId', 'The customer id.'),
          window: window('This customer\'s start and end; batches stay on the plan\'s grid.'),
        },
      },
    ],
  },
}

const customerDiscovery: JsonSchema = {
  title: 'customer discovery',
  description:
    'Finds the customers in the data each time bf plans: every customer with at least minRows rows in the target or expected table over the cluster\'s window (from), or every id a query returns (query).',
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['from'] }, { required: ['query'] }],
  not: { required: ['from', 'query'] },
  allOf: [{ not: { required: ['query', 'minRows'] } }],
  properties: {
    from: {
      description: 'The table whose customers are backfilled: target (counted in its read table) or expected (needs the expected section).',
      enum: ['target', 'expected'],
    },
    query: {
      description:
        'One SELECT returning one String column of customer ids. May use the bound parameters {start:DateTime}, {end:DateTime} (the cluster\'s window) and {cluster:String}.',
      type: 'string',
      minLength: 1,
    },
    minRows: {
      description: 'With from: the rows a customer needs in the cluster\'s window to be found.',
      type: 'integer',
      minimum: 1,
      default: DEFAULTS.discoveryMinRows,
    },
    exclude: {
      description: 'Customer ids never backfilled on this cluster, even when found.',
      type: 'array',
      uniqueItems: true,
      items: { $ref: '#/$defs/customerId' },
    },
    windows: {
      description: 'A range of their own for some found customers, by customer id; batches stay on the plan\'s grid.',
      type: 'object',
      propertyNames: { $ref: '#/$defs/customerId' },
      additionalProperties: window('This customer\'s start and end; each missing bound is the cluster\'s.'),
    },
  },
}

const cluster: JsonSchema = {
  title: 'cluster',
  description: 'One ClickHouse deployment, the Kubernetes context whose Jobs write to it, and its customers.',
  type: 'object',
  additionalProperties: false,
  required: ['clickhouse', 'customers'],
  properties: {
    clickhouse: {
      description: 'How bf reaches this cluster\'s ClickHouse: exactly one of url and embedded.',
      type: 'object',
      additionalProperties: false,
      anyOf: [{ required: ['url'] }, { required: ['embedded'] }],
      not: { required: ['url', 'embedded'] },
      properties: {
        url: { title: 'http:// or https:// URL', description: 'HTTP(S) endpoint of the ClickHouse server.', type: 'string', pattern: URL_PATTERN },
        embedded: { description: 'Data folder of the embedded engine, relative to the plan file\'s folder.', type: 'string', minLength: 1 },
        cluster: identifier('cluster name', 'ON CLUSTER name: deletes run on every replica of it and mutation checks cover them all. Omit for a single server.'),
        database: ref('databaseName', 'Default database of the connection.'),
        username: { description: 'User to connect as.', type: 'string', minLength: 1 },
        password: { description: 'Password of the user; normally ${env:NAME}, so the secret stays out of the file.', type: 'string' },
        settings: settings('ClickHouse settings sent with every query to this cluster.'),
      },
    },
    kubernetes: {
      description: 'Where this cluster\'s Jobs run. Required when job.kind is kubernetes.',
      type: 'object',
      additionalProperties: false,
      required: ['context'],
      properties: {
        context: { description: 'Kubeconfig context for this cluster\'s Jobs.', type: 'string', minLength: 1 },
        kubeconfig: { description: 'Kubeconfig file, relative to the plan file\'s folder. Defaults to the usual kubeconfig lookup.', type: 'string', minLength: 1 },
        qps: {
          description: 'Client-side rate limit: API requests a second bf sends this cluster, like client-go\'s (and kubectl\'s) QPS.',
          type: 'number',
          exclusiveMinimum: 0,
          default: DEFAULTS.kubernetesQps,
        },
        burst: {
          description: 'Client-side rate limit: API requests bf may send this cluster at once before qps applies, like client-go\'s Burst.',
          type: 'integer',
          minimum: 1,
          default: DEFAULTS.kubernetesBurst,
        },
      },
    },
    window: window('Overrides the plan\'s start and end for every customer of this cluster; batches stay on the plan\'s grid.'),
    customers: {
      description: 'Customers to backfill on this cluster: a list, or a mapping that finds them in the data each time bf plans.',
      oneOf: [customerList, customerDiscovery],
    },
  },
}

/**
 * The plan language as JSON Schema 2020-12: the source of `schemas/plan.schema.json`
 * (for editors) and of validation in `bf`. Rules that need more than one value at a time
 * (start before end, customers named by the canary exist…) are checked after it.
 */
export const planSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:bf:plan:1',
  title: 'bf plan file',
  description: 'A backfill for bf: which customers and time range to rebuild on which ClickHouse clusters, and how.',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'name', 'window', 'target', 'delete', 'job', 'clusters'],
  properties: {
    version: { description: 'Plan language version.', type: 'integer', const: 1 },
    name: ref('slug', 'Identifies the plan: names its state and labels its Jobs.'),
    description: { description: 'Free text shown at the top of bf plan.', type: 'string', default: '' },
    window: {
      description: 'The time range to backfill and how it is cut into batches.',
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end', 'batch'],
      properties: {
        start: ref('timestamp', 'First instant included (RFC 3339, UTC). Batches are aligned on it.'),
        end: ref('timestamp', 'First instant excluded (RFC 3339, UTC); must be after start.'),
        batch: ref('duration', 'Length of one batch, a whole number of hours (1h, 6h, 1d, 7d). The last batch is clipped at end.'),
      },
    },
    target: {
      description: 'The table being backfilled.',
      type: 'object',
      additionalProperties: false,
      required: ['table', 'timeColumn', 'customerColumn', 'keyColumns'],
      properties: {
        database: ref('databaseName', 'Database of table and readTable.', { default: DEFAULTS.database }),
        table: ref('tableName', 'Local table: deletes run on it.'),
        readTable: ref('tableName', 'Table that counts and checks read, such as the Distributed table over table. Defaults to table.'),
        ...tableColumns('the target'),
      },
    },
    expected: {
      description: 'The source of truth for counts. Without it the ratio check is skipped.',
      type: 'object',
      additionalProperties: false,
      required: ['table', 'timeColumn', 'customerColumn', 'keyColumns'],
      properties: {
        database: ref('databaseName', 'Database of the expected table. Defaults to target.database.'),
        table: ref('tableName', 'Table holding the true rows.'),
        ...tableColumns('the expected table'),
      },
    },
    delete: {
      description: 'How stale rows are deleted before the jobs re-insert them, or false for an append-only backfill. Required, so a plan always says whether it deletes.',
      oneOf: [
        { type: 'boolean', const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            mode: {
              description: 'mutation: ALTER TABLE … DELETE; lightweight: DELETE FROM.',
              enum: ['mutation', 'lightweight'],
              default: DEFAULTS.deleteMode,
            },
            per: {
              description:
                'customer: one delete per customer over its whole window; cluster: one delete per cluster for every customer sharing the same ranges (customer IN one bound Array(String)), so each part is rewritten once; batch: one per batch, right before its job.',
              enum: ['customer', 'cluster', 'batch'],
              default: DEFAULTS.deletePer,
            },
            maxCustomers: {
              description: 'With per: cluster, the most customers one delete statement names; more are cut into several deletes.',
              type: 'integer',
              minimum: 1,
              default: DEFAULTS.deleteMaxCustomers,
            },
            settings: settings('ClickHouse settings sent with each delete.'),
            timeout: ref('duration', 'How long to wait for a delete to finish on every replica before the step fails.', { default: DEFAULTS.deleteTimeout }),
          },
        },
      ],
    },
    job: {
      description: 'How each unit (cluster × customer × batch) is produced.',
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      allOf: [sectionForKind('kubernetes'), sectionForKind('sql'), sectionForKind('command')],
      properties: {
        kind: { description: 'What runs each unit: a Kubernetes Job, an SQL statement run by bf, or a local command.', enum: ['kubernetes', 'sql', 'command'] },
        kubernetes: {
          description: 'For kind kubernetes: the CronJob whose template each Job is made from.',
          type: 'object',
          additionalProperties: false,
          required: ['cronJob', 'namespace'],
          properties: {
            cronJob: ref('kubernetesName', 'Name of the CronJob.'),
            namespace: ref('kubernetesName', 'Namespace of the CronJob and its Jobs.'),
            container: ref('kubernetesName', 'Container that receives env. Defaults to every container.'),
            ownerReference: {
              description: 'Make each Job owned by the CronJob, so deleting the CronJob deletes them.',
              type: 'boolean',
              default: DEFAULTS.kubernetesOwnerReference,
            },
            ttlSecondsAfterFinished: { description: 'Seconds Kubernetes keeps a finished Job.', type: 'integer', minimum: 0 },
            onTemplateChange: {
              description:
                'What a change of the CronJob\'s job template since the last apply does to finished units: keep their results (a warning names the change), or rerun them with the new template.',
              enum: ['keep', 'rerun'],
              default: DEFAULTS.kubernetesOnTemplateChange,
            },
          },
        },
        sql: {
          description: 'For kind sql: one INSERT … SELECT statement. May use the bound parameters {customer:String}, {start:DateTime}, {end:DateTime} and {cluster:String}.',
          type: 'string',
          minLength: 1,
        },
        command: {
          description: 'For kind command: program and arguments, run with env added to bf\'s environment.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
        },
        env: {
          description: 'Environment variables for kubernetes and command jobs. Values may use {{ customer }}, {{ cluster }}, {{ batch.start }}, {{ batch.end }}, {{ batch.date }} and {{ plan.name }}.',
          type: 'object',
          propertyNames: { title: 'environment variable name', type: 'string', pattern: ENV_NAME_PATTERN },
          additionalProperties: { $ref: '#/$defs/scalar', description: 'Value of the variable, as a template.' },
        },
        timeout: ref('duration', 'bf fails an attempt that runs longer than this.'),
        retries: { description: 'New attempts after a failed one.', type: 'integer', minimum: 0, default: DEFAULTS.jobRetries },
        concurrency: { description: 'Jobs running at once per cluster.', type: 'integer', minimum: 1, default: DEFAULTS.jobConcurrency },
      },
    },
    verify: {
      description: 'How each unit is checked after its job.',
      type: 'object',
      additionalProperties: false,
      properties: {
        duplicates: { description: 'Fail when a key appears twice for one customer and batch.', type: 'boolean', default: DEFAULTS.verifyDuplicates },
        requireData: {
          description:
            'Fail a unit with no rows in the expected table (without expected, in the target) over its batch, and make a customer with none over its window a plan error. Otherwise such units pass as "no data" and the plan warns.',
          type: 'boolean',
          default: DEFAULTS.verifyRequireData,
        },
        ratio: {
          description: 'Bounds on target keys / expected keys per customer and batch. Needs expected.',
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            min: { description: 'Lowest ratio accepted.', type: 'number', minimum: 0 },
            max: { description: 'Highest ratio accepted.', type: 'number', minimum: 0 },
          },
        },
        checks: { description: 'Extra checks, each a query and its expected value.', type: 'array', items: check },
      },
    },
    rollout: {
      description: 'The order units run in.',
      type: 'object',
      additionalProperties: false,
      properties: {
        canary: {
          description: 'Customers applied and verified first; every other customer waits on them.',
          type: 'array',
          uniqueItems: true,
          items: { $ref: '#/$defs/customerId' },
        },
        order: { description: 'forward: oldest batch first; backward: newest first.', enum: ['forward', 'backward'], default: DEFAULTS.rolloutOrder },
      },
    },
    guards: {
      description: 'Limits that stop bf before it does something large.',
      type: 'object',
      additionalProperties: false,
      properties: {
        maxPendingMutations: { description: 'Do not submit a delete while more mutations than this are pending on the table.', type: 'integer', minimum: 0 },
        maxDeleteRows: { description: 'Refuse a single delete estimated to remove more rows than this.', type: 'integer', minimum: 1 },
        maxRewriteBytes: ref('size', 'Refuse a single delete whose active parts to rewrite (found from the data at plan time) weigh more than this, unless --allow-large-delete.'),
      },
    },
    schedule: {
      description: 'When apply may start steps that write. Outside every window, apply starts no delete or job (running ones finish, verifies still run), shows when the next window opens and waits for it. bf apply --ignore-schedule overrides.',
      type: 'object',
      additionalProperties: false,
      required: ['windows'],
      properties: {
        timezone: { description: 'IANA time zone the windows are read in, such as America/Los_Angeles.', type: 'string', minLength: 1, default: DEFAULTS.scheduleTimezone },
        windows: {
          description: 'Windows in which deletes and jobs may start; a window may cross midnight.',
          type: 'array',
          minItems: 1,
          items: {
            title: 'schedule window',
            description: 'Days then hours: "Mon-Fri 22:00-06:00", "Sat,Sun 00:00-24:00", "daily 01:00-05:00".',
            type: 'string',
            pattern: SCHEDULE_WINDOW_PATTERN,
          },
        },
      },
    },
    throttle: {
      description: 'Load checks per cluster, run before starting a delete or job and every interval while throttled. While any is over its limit on a cluster, nothing new starts there; bf goes on by itself when all are back under.',
      type: 'object',
      additionalProperties: false,
      properties: {
        interval: ref('duration', 'How often the checks run again while a cluster is throttled.', { default: DEFAULTS.throttleInterval }),
        replicationDelay: ref('duration', 'Most absolute_delay of the target table\'s replicas (system.replicas).'),
        replicationQueue: { description: 'Most queue_size of the target table\'s replicas (system.replicas).', type: 'integer', minimum: 0 },
        partsPerPartition: { description: 'Most active parts in one partition of the target table (system.parts).', type: 'integer', minimum: 1 },
        mergesBusy: { description: 'Largest share (0 to 1) of the merge and mutation pool in use (system.metrics).', type: 'number', minimum: 0, maximum: 1 },
        checks: {
          description: 'Custom load checks: a query returning one number; over max means busy.',
          type: 'array',
          items: {
            title: 'throttle check',
            description: 'A query returning one number, and the most it may be for deletes and jobs to start.',
            type: 'object',
            additionalProperties: false,
            required: ['name', 'sql', 'max'],
            properties: {
              name: ref('slug', 'Names the check in progress and events.'),
              sql: { description: 'One SELECT returning one number. May use {cluster:String}.', type: 'string', minLength: 1 },
              max: { description: 'Largest value at which deletes and jobs still start.', type: 'number' },
            },
          },
        },
      },
    },
    state: {
      description: 'Where bf records what it has done, and where the lock that keeps one apply at a time lives.',
      type: 'object',
      additionalProperties: false,
      properties: {
        backend: {
          description: 'file: a folder and a lock file, for one person on one machine. clickhouse: a table in one of the plan\'s clusters under a lease, shared by a team, CI and pods.',
          enum: ['file', 'clickhouse'],
          default: DEFAULTS.stateBackend,
        },
        path: { description: 'For the file backend: state folder, relative to the plan file\'s folder. Defaults to .bf/state/<name>. With any backend, job logs go here.', type: 'string', minLength: 1 },
        cluster: ref('slug', 'For the clickhouse backend: the cluster of this plan whose ClickHouse holds the state. Defaults to the first cluster.'),
        database: ref('databaseName', 'For the clickhouse backend: database of the state table, created on first use.', { default: DEFAULTS.stateDatabase }),
        table: ref('tableName', 'For the clickhouse backend: the state table, created on first use; it holds the state of any number of plans.', { default: DEFAULTS.stateTable }),
        lock: {
          description: 'For the clickhouse backend: where the plan\'s lease lives. keeper-map: a KeeperMap table next to the state table (needs keeper_map_path_prefix in the server config). Or a Kubernetes Lease.',
          default: DEFAULTS.stateLock,
          oneOf: [
            { description: 'A KeeperMap table <table>_lease in the state database.', const: 'keeper-map' },
            {
              description: 'A coordination.k8s.io/v1 Lease named after the plan.',
              type: 'object',
              additionalProperties: false,
              required: ['kubernetes'],
              properties: {
                kubernetes: {
                  description: 'The Kubernetes cluster and namespace of the Lease.',
                  type: 'object',
                  additionalProperties: false,
                  required: ['context', 'namespace'],
                  properties: {
                    context: { description: 'kubeconfig context of the cluster that holds the Lease.', type: 'string', minLength: 1 },
                    namespace: ref('kubernetesName', 'Namespace of the Lease.'),
                    kubeconfig: { description: 'kubeconfig file; defaults to $KUBECONFIG, else ~/.kube/config.', type: 'string', minLength: 1 },
                  },
                },
              },
            },
          ],
        },
        lease: ref('duration', 'For the clickhouse backend: how long the lease lasts unless renewed (the holder renews every third of it). An apply whose holder died is taken over after this long.', { default: DEFAULTS.stateLease }),
      },
    },
    clusters: {
      description: 'The clusters to backfill, by name.',
      type: 'object',
      minProperties: 1,
      propertyNames: { $ref: '#/$defs/slug' },
      additionalProperties: cluster,
    },
  },
  $defs: {
    slug: { title: 'slug', description: 'Lowercase letters, digits and -, at most 40 characters.', type: 'string', pattern: SLUG_PATTERN },
    timestamp: { title: 'UTC timestamp', description: 'RFC 3339 in UTC, such as 2026-01-01T00:00:00Z.', type: 'string', pattern: TIMESTAMP_PATTERN },
    duration: { title: 'duration', description: 'A whole number and a unit: s, m, h or d (30s, 15m, 6h, 1d).', type: 'string', pattern: DURATION_PATTERN },
    size: { title: 'size', description: 'A whole number and a unit: B, KB, MB, GB, TB or PB, powers of 1000 (500MB, 50GB).', type: 'string', pattern: SIZE_PATTERN },
    databaseName: identifier('database name', 'A ClickHouse database.'),
    tableName: identifier('table name', 'A ClickHouse table.'),
    columnName: identifier('column name', 'A ClickHouse column.'),
    settingName: identifier('setting name', 'A ClickHouse setting.'),
    kubernetesName: { title: 'Kubernetes name', description: 'Lowercase letters, digits and -, at most 63 characters.', type: 'string', pattern: KUBERNETES_NAME_PATTERN },
    customerId: { title: 'customer id', description: 'Any non-empty text; bound as a parameter, never spliced into SQL.', type: 'string', minLength: 1 },
    scalar: { description: 'A string, number or boolean.', type: ['string', 'number', 'boolean'] },
  },
}
