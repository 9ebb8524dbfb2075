/**
 * The status of a projection's (or consumer group's) lag. Pure: numbers in, status out, so the
 * rules are tested without a store or a clock.
 *
 * Without --watch only the thresholds apply: FAIL over --fail, WARN over --warn, else OK.
 * With --watch, in the spirit of Burrow (first rule that holds wins):
 *   OK       lag is 0 (caught up)
 *   FAIL     lag over --fail
 *   STOPPED  lag > 0 and the checkpoint was not updated for longer than the window
 *            (or, on Kafka, the group has no active member)
 *   STALLED  lag > 0 and the checkpoint has not moved for half the window (at least 3 samples)
 *            while it is still being updated, or for less than the whole window
 *   WARN     lag over --warn, or lag growing over the window
 *   OK       lag shrinking or steady
 */
import { UserError } from '../errors.js'
import { parseDuration } from '../events/time.js'

export type LagStatus = 'OK' | 'WARN' | 'FAIL' | 'STALLED' | 'STOPPED'

export type Threshold = { events: number; text: string } | { ms: number; text: string }

export interface Thresholds {
  warn?: Threshold
  fail?: Threshold
}

/** How far behind: events not yet processed, and the age of the oldest of them. Null when unknown. */
export interface Lag {
  lagEvents: number | null
  lagSeconds: number | null
}

/** `--fail 1000` (events) or `--fail 30s` (a duration). */
export function parseThreshold(spec: string, flag: string): Threshold {
  const text = spec.trim()
  if (/^\d+$/.test(text)) return { events: Number(text), text }
  const ms = parseDuration(text)
  if (ms !== undefined) return { ms, text }
  throw new UserError(`${flag} "${spec}": expected a number of events (e.g. 1000) or a duration (e.g. 30s, 5m, 2h)`)
}

export function exceeds(threshold: Threshold, lag: Lag): boolean {
  if ('events' in threshold) return lag.lagEvents !== null && lag.lagEvents > threshold.events
  return lag.lagSeconds !== null && lag.lagSeconds * 1000 > threshold.ms
}

const describeLag = (threshold: Threshold, lag: Lag) =>
  'events' in threshold ? `${lag.lagEvents} events behind` : `oldest unprocessed event ${formatDuration((lag.lagSeconds ?? 0) * 1000)} old`

export interface Assessment {
  status: LagStatus
  reason: string
}

/** The status by --warn and --fail alone (one-shot `rewind lag`). */
export function thresholdStatus(lag: Lag, thresholds: Thresholds): Assessment {
  if (thresholds.fail !== undefined && exceeds(thresholds.fail, lag)) return { status: 'FAIL', reason: `${describeLag(thresholds.fail, lag)}, over --fail ${thresholds.fail.text}` }
  if (thresholds.warn !== undefined && exceeds(thresholds.warn, lag)) return { status: 'WARN', reason: `${describeLag(thresholds.warn, lag)}, over --warn ${thresholds.warn.text}` }
  if (lag.lagEvents === null) return { status: 'OK', reason: 'no checkpoint yet' }
  return { status: 'OK', reason: lag.lagEvents === 0 ? 'caught up' : 'within thresholds' }
}

/** One observation of one row while watching. Times in milliseconds since the epoch. */
export interface LagSample extends Lag {
  at: number
  /** The checkpoint (committed offset); null when there is none. */
  position: number | null
  /** When the checkpoint row says it was last written, if it says. */
  updatedAt?: number
  /** Whether a consumer is known to be running (Kafka: the group has members); undefined when unknown. */
  active?: boolean
}

export interface Trend {
  /** Checkpoint positions processed per second over the window. */
  rate?: number
  /** Change of lagEvents per second over the window (negative: catching up). */
  lagRate?: number
  direction?: 'growing' | 'shrinking' | 'steady'
  /** Seconds until caught up at the current shrink rate. */
  etaSeconds?: number
}

/** The samples within the window ending at the last one. */
export function inWindow(history: LagSample[], windowMs: number): LagSample[] {
  if (history.length === 0) return history
  const end = history[history.length - 1].at
  return history.filter((s) => s.at >= end - windowMs)
}

export function trendOf(window: LagSample[]): Trend {
  if (window.length < 2) return {}
  const first = window[0]
  const last = window[window.length - 1]
  const seconds = (last.at - first.at) / 1000
  if (seconds <= 0) return {}
  const trend: Trend = {}
  if (first.position !== null && last.position !== null) trend.rate = Math.max(0, (last.position - first.position) / seconds)
  if (first.lagEvents !== null && last.lagEvents !== null) {
    trend.lagRate = (last.lagEvents - first.lagEvents) / seconds
    trend.direction = trend.lagRate > 0 ? 'growing' : trend.lagRate < 0 ? 'shrinking' : 'steady'
    if (trend.lagRate < 0 && last.lagEvents > 0) trend.etaSeconds = last.lagEvents / -trend.lagRate
  }
  return trend
}

/** The samples since the checkpoint last moved (the whole history when it never moved). */
function currentRun(history: LagSample[]): LagSample[] {
  const last = history[history.length - 1]
  let start = history.length - 1
  while (start > 0 && history[start - 1].position === last.position) start--
  return history.slice(start)
}

/** The watched status of one row from its history (oldest first); see the file comment for the rules. */
export function watchStatus(history: LagSample[], options: { windowMs: number; thresholds: Thresholds }): Assessment & { trend: Trend } {
  const { windowMs, thresholds } = options
  const last = history[history.length - 1]
  const trend = trendOf(inWindow(history, windowMs))
  const result = (status: LagStatus, reason: string) => ({ status, reason, trend })

  if (last.lagEvents === 0) return result('OK', 'caught up')
  const byThreshold = thresholdStatus(last, thresholds)
  if (byThreshold.status === 'FAIL') return result('FAIL', byThreshold.reason)
  if (last.lagEvents === null) return result(byThreshold.status, byThreshold.reason)
  if (last.active === false) return result('STOPPED', 'no active consumer')
  const run = currentRun(history)
  const moved = run.length < history.length ? run[0].at : undefined
  // Last update: the checkpoint's own time or its last observed move; unknown means not since watching began.
  const since = moved === undefined ? last.updatedAt ?? history[0].at : Math.max(moved, last.updatedAt ?? moved)
  if (last.at - since > windowMs) return result('STOPPED', `checkpoint not updated for ${formatDuration(last.at - since)}`)
  const stuckFor = last.at - run[0].at
  if (run.length >= 3 && stuckFor >= windowMs / 2) return result('STALLED', `checkpoint stuck at ${last.position ?? '-'} for ${formatDuration(stuckFor)}`)
  if (byThreshold.status === 'WARN') return result('WARN', byThreshold.reason)
  if (trend.direction === 'growing') return result('WARN', `lag growing by ${formatRate(trend.lagRate!)}`)
  if (trend.direction === 'shrinking') return result('OK', `catching up${trend.etaSeconds === undefined ? '' : `, ETA ${formatDuration(trend.etaSeconds * 1000)}`}`)
  return result('OK', trend.direction === 'steady' ? 'steady' : 'within thresholds')
}

/** Worst first, for summaries and exit codes. */
export const SEVERITY: Record<LagStatus, number> = { OK: 0, WARN: 1, STALLED: 2, STOPPED: 3, FAIL: 4 }

/** "45s", "3m 20s", "2h 5m", "3d 4h" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`
}

/** "+12/s", "-0.5/s" */
export function formatRate(perSecond: number): string {
  const abs = Math.abs(perSecond)
  const text = abs >= 100 ? Math.round(abs).toString() : abs >= 10 ? abs.toFixed(1).replace(/\.0$/, '') : abs.toFixed(2).replace(/0$/, '').replace(/\.0$/, '')
  return `${perSecond < 0 ? '-' : '+'}${text}/s`
}
