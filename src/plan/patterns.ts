/** Plan, cluster and check names: they appear in state paths, addresses and Job labels. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$'

/** Databases, tables, columns and `ON CLUSTER` names: they enter SQL text, so only plain identifiers pass. */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'

/** Environment variable names, in `job.env` keys and `${env:NAME}` references. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'

/** RFC 3339 in UTC only: a trailing `Z`, optional fractional seconds. */
export const TIMESTAMP_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$'

/** Kubernetes object names (DNS-1123 labels): CronJob, namespace, container. */
export const KUBERNETES_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'

export const URL_PATTERN = '^https?://[^\\s]+$'
