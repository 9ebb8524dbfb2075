import { describe, expect, it } from 'vitest'
import { fieldDrifts, sameValue } from './compare-values.js'

describe('sameValue', () => {
  it('compares numbers within the tolerance, also numeric text and booleans as 0/1', () => {
    expect(sameValue(10, 10)).toBe(true)
    expect(sameValue(10.004, 10, 0.005)).toBe(true)
    expect(sameValue(10.01, 10, 0.005)).toBe(false)
    expect(sameValue('12.50', 12.5)).toBe(true)
    expect(sameValue(1, true)).toBe(true)
    expect(sameValue(0, true)).toBe(false)
    expect(sameValue('abc', 1)).toBe(false)
  })

  it('treats NULL and a missing field alike, but not NULL and a value', () => {
    expect(sameValue(null, undefined)).toBe(true)
    expect(sameValue(null, 0)).toBe(false)
    expect(sameValue('', undefined)).toBe(false)
  })

  it('compares the same instant written as SQLite text and as ISO-8601', () => {
    expect(sameValue('2026-11-02 08:00:00', '2026-11-02T08:00:00.000Z')).toBe(true)
    expect(sameValue('2026-11-02 08:00:01', '2026-11-02T08:00:00.000Z')).toBe(false)
  })

  it('compares JSON text structurally with objects, ignoring key order and null fields', () => {
    expect(sameValue('{"b":2,"a":{"x":[1,2]}}', { a: { x: [1, 2] }, b: 2 })).toBe(true)
    expect(sameValue('{"a":1,"gone":null}', { a: 1 })).toBe(true)
    expect(sameValue('{"a":1.001}', { a: 1 }, 0.01)).toBe(true)
    expect(sameValue('{"a":[1,2]}', { a: [2, 1] })).toBe(false)
    expect(sameValue('not json', { a: 1 })).toBe(false)
    expect(sameValue(Buffer.from('[1,2]'), [1, 2])).toBe(true)
  })
})

describe('fieldDrifts', () => {
  it('names the leaf that differs inside a JSON column', () => {
    expect(fieldDrifts('state', '{"balance":10,"owner":"Ada","tags":["a"]}', { balance: 12, owner: 'Ada', tags: ['a', 'b'] })).toEqual([
      { field: 'state.balance', projection: 10, replay: 12 },
      { field: 'state.tags[1]', projection: null, replay: 'b' },
    ])
  })

  it('reports a scalar column once, with both values', () => {
    expect(fieldDrifts('balance', 3141, 2734)).toEqual([{ field: 'balance', projection: 3141, replay: 2734 }])
    expect(fieldDrifts('balance', 3141, 3141)).toEqual([])
    expect(fieldDrifts('owner', 'Ada', undefined)).toEqual([{ field: 'owner', projection: 'Ada', replay: null }])
  })
})
