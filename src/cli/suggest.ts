/**
 * "Did you mean": the nearest names to a typo, for commands and flags. Edit distance with
 * transpositions (`--fromat` is one step from `--format`, not two), so that the common slips
 * (a letter missing, doubled, swapped or wrong) are all close.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  let before = new Array<number>(b.length + 1).fill(0)
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2] + 1)
      current.push(best)
    }
    before = previous
    previous = current
  }
  return previous[b.length]
}

/** How far a typo may be from a name to be worth suggesting: 1 for short words, up to 3. */
const tolerance = (typed: string): number => (typed.length <= 3 ? 1 : typed.length <= 6 ? 2 : 3)

/**
 * The candidates nearest to `typed` (case-insensitive), best first; a candidate that `typed`
 * begins (`--trac` of `--trace`) counts as one step away. Empty when none is close.
 */
export function nearest(typed: string, candidates: Iterable<string>, limit = 3): string[] {
  const word = typed.toLowerCase()
  const scored: Array<{ name: string; distance: number }> = []
  for (const name of new Set(candidates)) {
    const lower = name.toLowerCase()
    let distance = editDistance(word, lower)
    if (word.length >= 2 && lower.startsWith(word)) distance = Math.min(distance, 1)
    if (distance <= tolerance(word) && distance < Math.max(word.length, 1)) scored.push({ name, distance })
  }
  scored.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1))
  const best = scored[0]?.distance
  return scored.filter((s) => s.distance === best).slice(0, limit).map((s) => s.name)
}

/** "a", "a or b", "a, b or c" (or "and"). */
export function alternatives(names: string[], conjunction = 'or'): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`
}

/** An argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
}
