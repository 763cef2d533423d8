/** Median of numbers (the mean of the two middle ones for an even count). */
export function median(values) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** `value` rounded to `digits` decimals, as a number. */
export function round(value, digits = 2) {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/** Seconds since `start` (a `process.hrtime.bigint()`). */
export function secondsSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e9
}
