/** A size as the plan language writes it: a whole number and a unit (`500MB`, `50GB`, `2TB`), powers of 1000 like ClickHouse's `formatReadableQuantity` bytes. */
export const SIZE_PATTERN = '^[1-9][0-9]{0,9}(B|KB|MB|GB|TB|PB)$'

const SIZE = new RegExp(SIZE_PATTERN)
const UNIT_BYTES = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 } as const

/** Parses `50GB` into bytes; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text)
  if (!match) return undefined
  const unit = match[1] as keyof typeof UNIT_BYTES
  return Number(text.slice(0, -unit.length)) * UNIT_BYTES[unit]
}

/** `38_400_000_000` → `38.4 GB`: bytes for messages, in the units sizes are written in. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const
  let value = bytes
  let index = 0
  while (value >= 1000 && index < units.length - 1) {
    value /= 1000
    index++
  }
  const shown = index === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '')
  return `${shown} ${units[index]}`
}
