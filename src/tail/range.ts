import { UserError } from '../errors.js'
import { exactPosition, type ExactPosition } from '../events/position.js'
import { parseTimeSpec, parseTimeSpecText } from '../events/time.js'

/** One end of a `tail` range, before it is resolved against a source. */
export type Bound =
  | { kind: 'beginning' }
  | { kind: 'end' }
  /** The last N events (per partition on Kafka, like kcat's -o -N). */
  | { kind: 'last'; count: number }
  /** A SQLite/file global position (a BigInt beyond 2^53). */
  | { kind: 'position'; position: ExactPosition }
  /** A Kafka offset (with --partition). */
  | { kind: 'offset'; offset: bigint }
  | { kind: 'time'; time: string; ms: number }

export type SourceKind = 'sqlite' | 'file' | 'kafka'

export const BOUND_FORMS =
  'accepted: beginning, end, -N (the last N), a position (SQLite/NDJSON: 1234 or position:1234), ' +
  'offset:N (Kafka, with --partition), or a time (ISO-8601, "now", "-2h", "90m ago", time:EPOCH)'

/**
 * Parses `--from` / `--until`. A bare whole number is a position (SQLite, NDJSON) or an offset
 * (Kafka, as kcat -o N); epoch times need `time:` so they are never mistaken for positions.
 */
export function parseBound(spec: string, flag: '--from' | '--until', kind: SourceKind, now = new Date()): Bound {
  const text = spec.trim()
  if (text === 'beginning' || text === 'start') return { kind: 'beginning' }
  if (text === 'end') return { kind: 'end' }
  const match = /^-(\d+)$/.exec(text)
  if (match) {
    const count = Number(match[1])
    if (count === 0) throw new UserError(`${flag} ${spec}: expected -N with N >= 1 (the last N events)`)
    return { kind: 'last', count }
  }
  const prefixed = /^(offset|position|pos):\s*(\d+)$/i.exec(text)
  if (prefixed || /^\d+$/.test(text)) {
    const prefix = prefixed?.[1].toLowerCase() ?? ''
    const digits = prefixed?.[2] ?? text
    const wantsOffset = prefix === 'offset' || (prefix === '' && kind === 'kafka')
    if (wantsOffset && kind !== 'kafka') {
      throw new UserError(`${flag} ${spec}: offset:N is for Kafka topics; for a ${kind === 'sqlite' ? 'SQLite store' : 'file'} give a position (${digits} or position:${digits})`)
    }
    if (!wantsOffset && kind === 'kafka') {
      throw new UserError(`${flag} ${spec}: a Kafka topic has offsets per partition; use offset:${digits} with --partition`)
    }
    return wantsOffset ? { kind: 'offset', offset: BigInt(digits) } : { kind: 'position', position: exactPosition(digits) }
  }
  const timeText = /^time:(.+)$/i.exec(text)?.[1] ?? text
  let date: Date
  try {
    date = parseTimeSpec(timeText, flag, now)
  } catch (error) {
    if (timeText !== text || /in the future/.test((error as Error).message)) throw error
    throw new UserError(`${flag} "${spec}" is not a position, offset or time; ${BOUND_FORMS}`)
  }
  return { kind: 'time', time: parseTimeSpecText(timeText, flag, now), ms: date.getTime() }
}

export interface TailRange {
  from: Bound
  /** undefined: no end (follow). */
  until?: Bound
  follow: boolean
}

/**
 * The range a `tail` run covers. Without --follow it stops at the end captured at start (like
 * kcat -e); --follow without --from starts with the last 10 events, like `tail -f`.
 */
export function resolveRange(flags: { from?: string; until?: string; follow?: boolean }, kind: SourceKind, now = new Date()): TailRange {
  const follow = flags.follow === true
  if (follow && flags.until !== undefined) throw new UserError('--follow and --until cannot be used together: --follow never stops, --until stops at a point')
  const from = flags.from === undefined ? (follow ? { kind: 'last', count: 10 } as Bound : { kind: 'beginning' } as Bound) : parseBound(flags.from, '--from', kind, now)
  const until = flags.until === undefined ? (follow ? undefined : { kind: 'end' } as Bound) : parseBound(flags.until, '--until', kind, now)
  if (until?.kind === 'beginning') throw new UserError('--until beginning selects nothing; ' + BOUND_FORMS)
  if (from.kind === 'time' && until?.kind === 'time' && from.ms > until.ms) {
    throw new UserError(`--from ${from.time} is after --until ${until.time}`)
  }
  if (from.kind === 'position' && until?.kind === 'position' && from.position > until.position) {
    throw new UserError(`--from position ${from.position} is after --until position ${until.position}`)
  }
  return { from, until, follow }
}
