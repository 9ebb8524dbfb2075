/** Levenshtein distance, bounded: used only to rank a short list of candidate ids. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]
}

/** Ranks candidate ids by closeness to `wanted`; substring matches first. */
export function rankSimilar(wanted: string, candidates: Iterable<string>, limit = 5): string[] {
  const lower = wanted.toLowerCase()
  const scored: Array<[number, string]> = []
  for (const candidate of candidates) {
    const c = candidate.toLowerCase()
    const score = c.includes(lower) || lower.includes(c) ? 0 : editDistance(lower, c)
    if (score <= Math.max(2, Math.floor(wanted.length / 2))) scored.push([score, candidate])
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]))
  return scored.slice(0, limit).map(([, id]) => id)
}
