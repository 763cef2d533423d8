/**
 * `compute`, remembering its answers for the keys seen lately: when `max` are kept, all are
 * forgotten at once. For a few keys asked for again and again (an apply's job statement, a
 * unit's address while its attempt is recorded and run) among many.
 */
export function boundedMemo<T>(compute: (key: string) => T, max: number): (key: string) => T {
  const seen = new Map<string, T>()
  return (key) => {
    if (seen.has(key)) return seen.get(key) as T
    const answer = compute(key)
    if (seen.size >= max) seen.clear()
    seen.set(key, answer)
    return answer
  }
}
