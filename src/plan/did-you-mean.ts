/** Edit distance between two strings (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: the
 * same word in another case, at most a third of its letters off (at least one), or a
 * shortened form of it (`alaska` for `alaska-air`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  let extension: string | undefined
  for (const candidate of candidates) {
    if (candidate === word) continue
    if (candidate.toLowerCase() === word.toLowerCase()) return candidate
    if (word.length >= 4 && candidate.startsWith(word)) extension ??= candidate
    if (Math.abs(candidate.length - word.length) > limit) continue
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase())
    if (distance <= limit && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best ?? extension
}

/** `did you mean "readTable"?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates)
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`
}
