/** How much quickstart data to make. */
export interface QuickstartOptions {
  /** How many customers (the first ones of `quickstartCustomerIds`). */
  customers: number
  days: number
  conversationsPerDay: number
  /** Same seed, same data (default 1). */
  seed?: number
  /** First day, RFC 3339 UTC midnight (default `quickstartDefaults.start`). */
  start?: string
}

const NAMED_CUSTOMERS = [
  'alaska-air', 'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark-industries', 'wayne-enterprises', 'wonka', 'cyberdyne',
  'soylent', 'tyrell', 'oscorp', 'aperture', 'monarch', 'vandelay', 'dunder-mifflin', 'pied-piper', 'massive-dynamic', 'gringotts',
]

/** The ids of the first `count` quickstart customers: named slugs, then `customer-21`, `customer-22`… */
export function quickstartCustomerIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => NAMED_CUSTOMERS[index] ?? `customer-${index + 1}`)
}

/** The size `examples/quickstart/plan.yaml` is written for: 3 customers × 14 days, small and quick. */
export const quickstartDefaults = {
  customers: quickstartCustomerIds(3),
  start: '2026-01-01T00:00:00Z',
  days: 14,
  perDay: 200,
  seed: 1,
} as const

/** `quickstartDefaults` as generator options. */
export const defaultQuickstartOptions: QuickstartOptions = {
  customers: quickstartDefaults.customers.length,
  days: quickstartDefaults.days,
  conversationsPerDay: quickstartDefaults.perDay,
  seed: quickstartDefaults.seed,
  start: quickstartDefaults.start,
}
