import { describe, expect, it } from 'vitest'
import { formatDuration, parseThreshold, thresholdStatus, trendOf, watchStatus, type LagSample, type Thresholds } from './status.js'

const S = 1000
/** Samples every 2 s from t=0: [position, lagEvents] pairs. */
const samples = (pairs: Array<[number | null, number | null]>, extra: Partial<LagSample> = {}): LagSample[] =>
  pairs.map(([position, lagEvents], i) => ({ at: i * 2 * S, position, lagEvents, lagSeconds: lagEvents === 0 ? 0 : 5, ...extra }))

const watch = (history: LagSample[], thresholds: Thresholds = {}, windowMs = 20 * S) => watchStatus(history, { windowMs, thresholds })

describe('parseThreshold', () => {
  it('reads a number of events or a duration, and rejects anything else', () => {
    expect(parseThreshold('1000', '--fail')).toEqual({ events: 1000, text: '1000' })
    expect(parseThreshold('30s', '--fail')).toEqual({ ms: 30_000, text: '30s' })
    expect(parseThreshold('5m', '--warn')).toEqual({ ms: 300_000, text: '5m' })
    expect(() => parseThreshold('lots', '--fail')).toThrow('--fail "lots": expected a number of events (e.g. 1000) or a duration (e.g. 30s, 5m, 2h)')
    expect(() => parseThreshold('-5', '--warn')).toThrow(/--warn "-5"/)
  })
})

describe('thresholdStatus (one-shot)', () => {
  const thresholds = { warn: parseThreshold('10', '--warn'), fail: parseThreshold('1m', '--fail') }
  it('is FAIL over --fail, WARN over --warn, OK otherwise; "over" means strictly above', () => {
    expect(thresholdStatus({ lagEvents: 5, lagSeconds: 61 }, thresholds)).toEqual({ status: 'FAIL', reason: 'oldest unprocessed event 1m 1s old, over --fail 1m' })
    expect(thresholdStatus({ lagEvents: 11, lagSeconds: 30 }, thresholds)).toEqual({ status: 'WARN', reason: '11 events behind, over --warn 10' })
    expect(thresholdStatus({ lagEvents: 10, lagSeconds: 60 }, thresholds).status).toBe('OK')
    expect(thresholdStatus({ lagEvents: 0, lagSeconds: 0 }, {})).toEqual({ status: 'OK', reason: 'caught up' })
  })

  it('never fails a partition without a committed offset (its lag is unknown)', () => {
    expect(thresholdStatus({ lagEvents: null, lagSeconds: null }, { fail: parseThreshold('0', '--fail') })).toEqual({ status: 'OK', reason: 'no checkpoint yet' })
  })
})

describe('watchStatus (Burrow-style rules)', () => {
  it('OK when caught up, even if the checkpoint has not moved for ages', () => {
    expect(watch(samples([[10, 0], [10, 0], [10, 0], [10, 0]]), {}, 2 * S).status).toBe('OK')
  })

  it('OK while catching up, with the processing rate and an ETA', () => {
    const result = watch(samples([[100, 50], [120, 40], [140, 30]]))
    expect(result).toMatchObject({ status: 'OK', trend: { rate: 10, lagRate: -5, direction: 'shrinking', etaSeconds: 6 } })
    expect(result.reason).toBe('catching up, ETA 6s')
  })

  it('WARN when the lag grows over the window although the checkpoint moves', () => {
    expect(watch(samples([[100, 50], [110, 60], [115, 75]]))).toMatchObject({ status: 'WARN', reason: 'lag growing by +6.25/s' })
  })

  it('STALLED when the checkpoint has not moved for half the window while events wait (3 samples at least)', () => {
    expect(watch(samples([[100, 5], [100, 5]]), {}, 4 * S).status).toBe('OK')
    expect(watch(samples([[100, 5], [100, 5], [100, 6]]), {}, 8 * S)).toMatchObject({ status: 'STALLED', reason: 'checkpoint stuck at 100 for 4s' })
    expect(watch(samples([[100, 5], [100, 5], [100, 5]]), {}, 20 * S)).toMatchObject({ status: 'OK', reason: 'steady' })
  })

  it('STOPPED when the checkpoint was not updated for longer than the window', () => {
    // Watched for 24 s, window 20 s, never moved.
    const still = samples(Array.from({ length: 13 }, () => [100, 5] as [number, number]))
    expect(watch(still)).toMatchObject({ status: 'STOPPED', reason: 'checkpoint not updated for 24s' })
    // The same, but it moved 8 s before the end: stalled (over half of a 12 s window), not stopped.
    const moved = still.map((s, i) => (i < 8 ? { ...s, position: 90 } : s))
    expect(watch(moved, {}, 12 * S)).toMatchObject({ status: 'STALLED', reason: 'checkpoint stuck at 100 for 8s' })
    expect(watch(moved, {}, 6 * S)).toMatchObject({ status: 'STOPPED', reason: 'checkpoint not updated for 8s' })
  })

  it('STOPPED at once when the checkpoint row says it was last written long ago', () => {
    const history = samples([[100, 5]], { updatedAt: -60 * S })
    expect(watch(history)).toMatchObject({ status: 'STOPPED', reason: 'checkpoint not updated for 1m' })
  })

  it('STALLED, not STOPPED, when the checkpoint row is rewritten without moving (a poison event)', () => {
    const history = samples([[100, 5], [100, 5], [100, 5], [100, 5]]).map((s) => ({ ...s, updatedAt: s.at }))
    expect(watch(history, {}, 4 * S)).toMatchObject({ status: 'STALLED', reason: 'checkpoint stuck at 100 for 6s' })
  })

  it('STOPPED when a Kafka group has no active member and lag > 0', () => {
    expect(watch(samples([[100, 5]], { active: false }))).toMatchObject({ status: 'STOPPED', reason: 'no active consumer' })
  })

  it('FAIL over --fail takes precedence; WARN over --warn applies when the trend is fine', () => {
    const thresholds = { warn: parseThreshold('20', '--warn'), fail: parseThreshold('100', '--fail') }
    expect(watch(samples([[100, 500], [200, 400]]), thresholds).status).toBe('FAIL')
    expect(watch(samples([[100, 50], [200, 40]]), thresholds)).toMatchObject({ status: 'WARN', reason: '40 events behind, over --warn 20' })
    expect(watch(samples([[100, 15], [200, 10]]), thresholds).status).toBe('OK')
  })
})

describe('trendOf and formatDuration', () => {
  it('needs two samples at different times', () => {
    expect(trendOf(samples([[1, 1]]))).toEqual({})
    expect(trendOf(samples([[null, null], [null, null]]))).toEqual({})
  })

  it('formats durations the way people say them', () => {
    expect([0, 45_000, 200_000, 7_500_000, 90_000_000, 3 * 86_400_000].map(formatDuration)).toEqual(['0s', '45s', '3m 20s', '2h 5m', '1d 1h', '3d'])
  })
})
