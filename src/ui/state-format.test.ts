import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { shortData, wrapText } from './state-format.js'

const event = (data: unknown): Event => ({ position: 1, stream: 's', type: 'T', schemaVersion: 1, time: '', data, meta: {} })

describe('shortData', () => {
  it('shows leaf fields as name=value, quoting only strings that need it', () => {
    expect(shortData(event({ amount: { value: 117, currency: 'EUR' } }), 60)).toBe('value=117 currency=EUR')
    expect(shortData(event({ owner: 'Margaret Hamilton', vip: true, note: null }), 60)).toBe('owner="Margaret Hamilton" vip=true note=null')
    expect(shortData(event({ items: ['a', 'b'] }), 60)).toBe('items[0]=a items[1]=b')
    expect(shortData(event('just text'), 60)).toBe('"just text"')
  })

  it('cuts to the width with an ellipsis', () => {
    expect(shortData(event({ reference: 'abcdefghijklmnopqrstuvwxyz' }), 12)).toBe('reference=a…')
  })
})

describe('wrapText', () => {
  it('wraps at spaces, and inside words only when it must', () => {
    expect(wrapText('duplicate eventId evt-1: A v1 and B v2', 20)).toEqual(['duplicate eventId', 'evt-1: A v1 and B v2'])
    expect(wrapText('{"eventId":"evt-xg-cohaet"}', 10)).toEqual(['{"eventId"', ':"evt-xg-c', 'ohaet"}'])
  })
})
