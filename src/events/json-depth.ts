/**
 * JSON nested deeper than this is a bad row (or line, or message): V8's JSON.parse reads it, but
 * JSON.stringify, structuredClone and user reducers recurse and overflow the stack ~4,000 levels
 * down, far from the row that caused it. Real events nest a few levels.
 */
export const MAX_JSON_DEPTH = 1000

/** Whether `text` nests arrays and objects deeper than `limit` (brackets inside strings do not count). */
export function nestsDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  // Each level takes an opening and a closing bracket.
  if (text.length <= 2 * limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--
  }
  return false
}

export const tooDeep = (what: string, limit = MAX_JSON_DEPTH): string => `${what} nests JSON deeper than ${limit} levels, more than rewind reads`
