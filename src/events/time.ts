import ms from 'ms'
import { UserError } from '../errors.js'

export const ACCEPTED_TIME_FORMS =
  'accepted: ISO-8601 (2024-05-01, 2024-05-01T10:10, 2024-05-01T10:10:00+02:00; no zone means UTC), ' +
  'epoch seconds or milliseconds, "now", or a duration back from now ("-2h", "90m ago", "3 days ago")'

/** Parses a duration like "30s", "2h", "1.5 days"; undefined when it is not one. */
export function parseDuration(spec: string): number | undefined {
  const text = spec.trim()
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(text)) return undefined
  const value = ms(text as ms.StringValue)
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i

function epochToDate(value: number): Date {
  // Below 1e11 we read seconds (year 5138 in seconds; 1973 in milliseconds).
  return new Date(Math.abs(value) < 1e11 ? value * 1000 : value)
}

/** The digits after the second's point of an ISO time, when there are more than a Date keeps. */
const FINE_FRACTION = /:\d{2}[.,](\d{4,})/

/**
 * A Date's ISO text with the fraction of `text` when that is finer than milliseconds: times keep
 * the precision they were written with (microseconds from Python or PostgreSQL, nanoseconds),
 * up to nanoseconds. The Date must be the instant of `text`, read to the millisecond.
 */
function isoWithFraction(date: Date, text: string): string {
  const iso = date.toISOString()
  const fine = FINE_FRACTION.exec(text)?.[1]
  return fine === undefined ? iso : `${iso.slice(0, 20)}${fine.slice(0, 9)}Z`
}

/** A user's time spec as canonical ISO UTC text, at the precision it was written with (`--at 10:00:01.257477`). */
export function parseTimeSpecText(spec: string, flag = '--at', now: Date = new Date()): string {
  return isoWithFraction(parseTimeSpec(spec, flag, now), spec.trim())
}

/**
 * Orders two canonical times (normalizeStoredTime's output) as instants. Texts of one length
 * compare as text (the usual case: one store, one precision); otherwise the fractions are
 * padded, so `...:01.5Z` sorts after `...:01.257477Z`. A missing time ('') sorts first.
 */
export function compareTimes(a: string, b: string): number {
  if (a.length !== b.length && a !== '' && b !== '') {
    a = padFraction(a)
    b = padFraction(b)
  }
  return a < b ? -1 : a > b ? 1 : 0
}

const padFraction = (time: string): string => {
  const dot = time.indexOf('.', 19)
  const fraction = dot === -1 ? '' : time.slice(dot + 1, -1)
  return `${time.slice(0, 19)}.${fraction.padEnd(9, '0')}Z`
}

/** A user's time spec (--at, --from, --until) to a Date; exit 2 with the accepted forms otherwise. */
export function parseTimeSpec(spec: string, flag = '--at', now: Date = new Date()): Date {
  const text = spec.trim()
  let date: Date | undefined
  if (text === 'now') date = now
  else if (/^-?\d+(\.\d+)?$/.test(text) && !text.startsWith('-')) date = epochToDate(Number(text))
  else if (ISO_DATE_ONLY.test(text)) date = new Date(`${text}T00:00:00Z`)
  else if (ISO_NO_ZONE.test(text)) date = new Date(`${text.replace(' ', 'T')}Z`)
  else if (ISO_WITH_ZONE.test(text)) date = new Date(text.replace(' ', 'T'))
  else {
    const relative = /^-\s*(.+)$/.exec(text)?.[1] ?? /^(.+?)\s+ago$/i.exec(text)?.[1]
    const duration = relative === undefined ? undefined : parseDuration(relative)
    if (duration !== undefined) date = new Date(now.getTime() - duration)
  }
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new UserError(`${flag} "${spec}" is not a time; ${ACCEPTED_TIME_FORMS}`)
  }
  if (date.getTime() > now.getTime() + 1000) {
    throw new UserError(`${flag} "${spec}" is in the future (${date.toISOString()}); ${ACCEPTED_TIME_FORMS}`)
  }
  return date
}

/**
 * A time value as stored (ISO with or without zone, SQLite's "YYYY-MM-DD HH:MM:SS[.SSS]" in UTC,
 * epoch seconds or milliseconds) to canonical ISO-8601 UTC with milliseconds, or with the stored
 * digits when they are finer (compare such times with compareTimes). Undefined when the value is
 * not a time. Hot path: fast cases first.
 */
export function normalizeStoredTime(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const n = value.length
    if (n === 24 && value.charCodeAt(23) === 90 /* Z */ && value.charCodeAt(10) === 84 /* T */ && value.charCodeAt(19) === 46) return value
    if (n === 19 && value.charCodeAt(10) === 32 && value.charCodeAt(13) === 58) return `${value.slice(0, 10)}T${value.slice(11)}.000Z`
    if (n === 23 && value.charCodeAt(10) === 32 && value.charCodeAt(19) === 46) return `${value.slice(0, 10)}T${value.slice(11)}Z`
    if (n === 0) return undefined
    if (/^\d+(\.\d+)?$/.test(value)) return epochToDate(Number(value)).toISOString()
    let text = value
    if (ISO_NO_ZONE.test(text)) text = `${text.replace(' ', 'T')}Z`
    else if (ISO_DATE_ONLY.test(text)) text = `${text}T00:00:00Z`
    else if (!ISO_WITH_ZONE.test(text)) return undefined
    const date = new Date(text.replace(' ', 'T'))
    return Number.isNaN(date.getTime()) ? undefined : isoWithFraction(date, text)
  }
  if (typeof value === 'number' && Number.isFinite(value)) return epochToDate(value).toISOString()
  if (typeof value === 'bigint') return epochToDate(Number(value)).toISOString()
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString()
  return undefined
}

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * An ISO-8601 time as nanoseconds since the epoch, keeping every stored digit (microseconds,
 * nanoseconds), so `10:00:01Z`, `10:00:01.000Z` and `11:00:01.000000+01:00` are one instant.
 * No zone means UTC. Undefined when the text is not such a time.
 */
export function instantNanos(text: string): bigint | undefined {
  const m = ISO_INSTANT.exec(text)
  if (m === null) return undefined
  const zone = m[4] === undefined || m[4].toUpperCase() === 'Z' ? 'Z' : m[4]
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`)
  if (Number.isNaN(ms)) return undefined
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'))
}
