import { describe, expect, it } from 'vitest'
import { UserError } from '../errors.js'
import { normalizeStoredTime, parseDuration, parseTimeSpec, instantNanos } from './time.js'

const now = new Date('2026-11-25T12:00:00.000Z')

describe('parseTimeSpec', () => {
  it.each([
    ['2026-11-03', '2026-11-03T00:00:00.000Z'],
    ['2026-11-03T10:10', '2026-11-03T10:10:00.000Z'],
    ['2026-11-03 10:10:05', '2026-11-03T10:10:05.000Z'],
    ['2026-11-03T10:10:00+02:00', '2026-11-03T08:10:00.000Z'],
    ['2026-11-03T10:10:00.250Z', '2026-11-03T10:10:00.250Z'],
    ['1762164600', '2025-11-03T10:10:00.000Z'],
    ['1762164600000', '2025-11-03T10:10:00.000Z'],
    ['now', '2026-11-25T12:00:00.000Z'],
    ['-2h', '2026-11-25T10:00:00.000Z'],
    ['90m ago', '2026-11-25T10:30:00.000Z'],
    ['3 days ago', '2026-11-22T12:00:00.000Z'],
  ])('reads %s as %s (no zone means UTC)', (spec, iso) => {
    expect(parseTimeSpec(spec, '--at', now).toISOString()).toBe(iso)
  })

  it('rejects a time in the future, saying so and listing the accepted forms', () => {
    expect(() => parseTimeSpec('2027-01-01', '--at', now)).toThrow(/--at "2027-01-01" is in the future .*accepted: ISO-8601/)
  })

  it.each(['yesterday-ish', '2026-13-45', '10:10', ''])('rejects %j with exit code 2', (spec) => {
    try {
      parseTimeSpec(spec, '--until', now)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(UserError)
      expect((error as UserError).exitCode).toBe(2)
      expect((error as Error).message).toMatch(/^--until ".*" is not a time; accepted:/)
    }
  })
})

describe('normalizeStoredTime', () => {
  it.each([
    ['2026-11-03T10:10:00.000Z', '2026-11-03T10:10:00.000Z'],
    ['2026-11-03 10:10:00', '2026-11-03T10:10:00.000Z'],
    ['2026-11-03 10:10:00.123', '2026-11-03T10:10:00.123Z'],
    ['2026-11-03T10:10:00', '2026-11-03T10:10:00.000Z'],
    ['2026-11-03T10:10:00Z', '2026-11-03T10:10:00.000Z'],
    ['2026-11-03T12:10:00.257477+02:00', '2026-11-03T10:10:00.257477Z'],
    [1762164600, '2025-11-03T10:10:00.000Z'],
    [1762164600123, '2025-11-03T10:10:00.123Z'],
    ['1762164600', '2025-11-03T10:10:00.000Z'],
  ])('stores %j as %s', (value, iso) => {
    expect(normalizeStoredTime(value)).toBe(iso)
  })

  it('gives undefined for what is not a time', () => {
    expect(normalizeStoredTime('next tuesday')).toBeUndefined()
    expect(normalizeStoredTime(null)).toBeUndefined()
    expect(normalizeStoredTime({})).toBeUndefined()
  })

  it('normalises so that times compare correctly as strings', () => {
    const earlier = normalizeStoredTime('2026-11-03T10:10:00Z')!
    const later = normalizeStoredTime('2026-11-03 10:10:00.500')!
    expect(earlier < later).toBe(true)
  })
})

describe('parseDuration', () => {
  it('reads durations and refuses plain numbers', () => {
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('1000')).toBeUndefined()
  })
})

describe('instantNanos', () => {
  it('reads every stored digit and any zone, so equal instants compare equal', () => {
    const same = ['2025-06-01T10:00:01Z', '2025-06-01T10:00:01.000Z', '2025-06-01 10:00:01', '2025-06-01T11:00:01.000000+01:00', '2025-06-01T10:00:01.000000000Z']
    expect(new Set(same.map(instantNanos)).size).toBe(1)
    expect(instantNanos('2025-06-01T10:00:01.000001Z')! - instantNanos('2025-06-01T10:00:01Z')!).toBe(1000n)
    expect(instantNanos('2025-06-01T10:00:01.123456789Z')! % 1_000_000_000n).toBe(123456789n)
  })

  it('gives undefined for what is not an ISO time', () => {
    for (const text of ['yesterday', '2025-06-01', '2025-13-01T00:00:00Z', '10:00:01']) expect(instantNanos(text)).toBeUndefined()
  })
})
