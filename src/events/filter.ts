import { unqualifiedType, type Event } from './event.js'
import { compareTimes } from './time.js'

/** A shell-style glob (* and ?) as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${body}$`)
}

/** Matches a value against any of the patterns; exact strings skip the RegExp. */
export function globMatcher(patterns: string[] | undefined): ((value: string) => boolean) | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)))
  const globs = patterns.filter((p) => /[*?]/.test(p)).map(globToRegExp)
  if (globs.length === 0) return (value) => exact.has(value)
  return (value) => exact.has(value) || globs.some((re) => re.test(value))
}

export interface EventFilterOptions {
  types?: string[]
  streams?: string[]
  /** Keep events whose time is at or before this canonical ISO time. */
  until?: string
  since?: string
  where?: (event: Event) => boolean
}

/** One predicate from --type, --stream, --at/--until and --where; undefined when nothing filters. */
export function eventFilter(options: EventFilterOptions): ((event: Event) => boolean) | undefined {
  const typeMatches = globMatcher(options.types)
  // `--type Account.Opened` also picks `crm:Account.Opened`; `--type crm:Account.Opened` only that one.
  const type = typeMatches && ((value: string) => {
    if (typeMatches(value)) return true
    const short = unqualifiedType(value)
    return short !== undefined && typeMatches(short)
  })
  const stream = globMatcher(options.streams)
  const { until, since, where } = options
  if (!type && !stream && until === undefined && since === undefined && !where) return undefined
  return (e) =>
    (type === undefined || type(e.type)) &&
    (stream === undefined || stream(e.stream)) &&
    (until === undefined || compareTimes(e.time, until) <= 0) &&
    (since === undefined || compareTimes(e.time, since) >= 0) &&
    (where === undefined || where(e))
}
