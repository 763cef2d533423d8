import type { DiscoveredCustomers } from '../engine/resolve-customers.js'
import { displayId, formatNumber, plural } from './text.js'

const NAMES_SHOWN = 5

/** `a, b, c, d, e and 7 more` */
function names(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMES_SHOWN).map(displayId).join(', ')
  return ids.length > NAMES_SHOWN ? `${shown} and ${formatNumber(ids.length - NAMES_SHOWN)} more` : shown
}

function changes(entry: DiscoveredCustomers): string {
  const parts: string[] = []
  if (entry.new.length > 0) parts.push(`${formatNumber(entry.new.length)} new: ${names(entry.new)}`)
  if (entry.gone.length > 0) parts.push(`${formatNumber(entry.gone.length)} gone: ${names(entry.gone)}`)
  return parts.length > 0 ? parts.join('; ') : 'none new or gone'
}

/**
 * One line per discovering cluster: `Cluster eu: 1,000 customers found (3 new: a, b, c; 1 gone: d)`,
 * or, planned without refresh, how many customers the state gave.
 */
export function discoveryLines(discovered: readonly DiscoveredCustomers[] | undefined): string[] {
  return (discovered ?? []).map((entry) => {
    const cluster = `Cluster ${displayId(entry.cluster)}`
    if (entry.source === 'state') {
      const gone = entry.gone.length > 0 ? `; ${changes(entry)}` : ''
      return `${cluster}: ${plural(entry.found, 'customer')} from the state, not discovered again (--refresh=false${gone})`
    }
    return `${cluster}: ${plural(entry.found, 'customer')} found (${changes(entry)})`
  })
}
