import { createRequire } from 'node:module'
import type * as Re2 from 're2js'

/**
 * matches() runs on store data, so its regular expressions run in linear time: RE2's syntax and
 * guarantees (re2js, a pure-JS port), where JavaScript's backtracking engine takes ~minutes for
 * `(a+)+$` on 30 characters. RE2 has no backreferences or lookaround; those patterns are refused.
 */
export interface LinearRegex {
  test(text: string): boolean
}

let re2: typeof Re2.RE2JS | undefined

/** Loaded on first use (~10 ms): most commands never call matches(). */
const engine = (): typeof Re2.RE2JS => (re2 ??= (createRequire(import.meta.url)('re2js') as typeof Re2).RE2JS)

/** Compiles `source` with flags from "imsu" ("u" is RE2's default); throws Error naming the pattern. */
export function linearRegex(source: string, flags: string): LinearRegex {
  const RE2JS = engine()
  let options = 0
  if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE
  if (flags.includes('m')) options |= RE2JS.MULTILINE
  if (flags.includes('s')) options |= RE2JS.DOTALL
  let compiled: Re2.RE2JS
  try {
    compiled = RE2JS.compile(source, options)
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).replace(/^error parsing regexp: /, '')
    throw new Error(`invalid regular expression ${JSON.stringify(source)}: ${reason} (matches() takes RE2 syntax, which runs in linear time: no backreferences or lookaround)`)
  }
  // test(): no capture groups asked for, so RE2 can take its DFA (~3x faster than matcher().find()).
  return { test: (text) => compiled.test(text) }
}
