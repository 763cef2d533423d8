/**
 * Step and unit addresses are `/`-separated paths (`cluster/customer/2026-01-15/job`).
 * Customer ids may hold any character, so `%` and `/` inside a part are percent-encoded.
 */
export function addressPart(text: string): string {
  if (!text.includes('%') && !text.includes('/')) return text
  return text.replace(/%/g, '%25').replace(/\//g, '%2F')
}

export function joinAddress(...parts: string[]): string {
  return parts.map(addressPart).join('/')
}

export function splitAddress(address: string): string[] {
  return address.split('/').map((part) => part.replace(/%2F/gi, '/').replace(/%25/g, '%'))
}

/** True when `address` is `prefix` itself or lies under it (`a/b` covers `a/b/c`, not `a/bc`). */
export function addressUnder(address: string, prefix: string): boolean {
  const trimmed = prefix.replace(/\/+$/, '')
  return address === trimmed || address.startsWith(`${trimmed}/`)
}
