import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { compareWithGolden, describeDiff, structuralDiff } from './compare.js'

const event: Event = { position: 3, stream: 's', type: 'T', schemaVersion: 2, time: '', data: { a: { b: [1, 2] } }, meta: { eventId: 'x', userId: 'u' } }

describe('compareWithGolden', () => {
  it('compares only the top-level fields and meta keys the golden names', () => {
    expect(compareWithGolden(event, { type: 'T', meta: { eventId: 'x' } })).toEqual([])
    expect(compareWithGolden(event, { meta: { eventId: 'y' } })).toEqual([{ path: 'meta.eventId', kind: 'changed', expected: 'y', actual: 'x' }])
  })

  it('reports a field the golden names but the event lacks as missing', () => {
    expect(compareWithGolden(event, { version: 4 })).toEqual([{ path: 'version', kind: 'missing', expected: 4 }])
  })

  it('walks into arrays and tells numbers from strings', () => {
    expect(compareWithGolden(event, { data: { a: { b: [1, '2'] } } })).toEqual([{ path: 'data.a.b[1]', kind: 'changed', expected: '2', actual: 2 }])
  })
})

describe('structuralDiff', () => {
  it('ignores key order and compares a changed shape as one change', () => {
    expect(structuralDiff({ x: 1, y: 2 }, { y: 2, x: 1 })).toEqual([])
    expect(structuralDiff({ amount: 5 }, { amount: { value: 5 } })).toEqual([{ path: 'amount', kind: 'changed', expected: 5, actual: { value: 5 } }])
  })

  it('describes each kind in one line', () => {
    expect(describeDiff({ path: 'data.amount', kind: 'changed', expected: 120, actual: '120' })).toBe('data.amount: expected 120, got "120"')
    expect(describeDiff({ path: 'data.currency', kind: 'missing', expected: 'EUR' })).toBe('data.currency: expected "EUR", missing')
    expect(describeDiff({ path: 'data.id', kind: 'unexpected', actual: 1 })).toBe('data.id: not expected, got 1')
  })
})

describe('compareWithGolden: times are instants', () => {
  const event = { position: 1, stream: 's', type: 'T', schemaVersion: 1, time: '2025-06-01T10:00:01.000Z', data: {}, meta: {} }
  it('a golden time written without milliseconds, or in another zone, matches', () => {
    expect(compareWithGolden(event, { time: '2025-06-01T10:00:01Z' })).toEqual([])
    expect(compareWithGolden(event, { time: '2025-06-01T12:00:01+02:00' })).toEqual([])
  })
  it('another instant is a difference, shown as written', () => {
    expect(compareWithGolden(event, { time: '2025-06-01T10:00:02Z' })).toEqual([{ path: 'time', kind: 'changed', expected: '2025-06-01T10:00:02Z', actual: '2025-06-01T10:00:01.000Z' }])
  })
})
