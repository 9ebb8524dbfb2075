import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { UpcastChain, UpcastError, type Upcaster } from './chain.js'

const event = (type: string, schemaVersion: number, data: unknown = {}): Event => ({ position: 1, stream: 's', type, schemaVersion, time: '', data, meta: {} })
const u = (type: string, from: number, to: number, up: Upcaster['up']): Upcaster => ({ type, from, to, up })

describe('UpcastChain', () => {
  it('lifts through every step, renames, and sets schemaVersion itself', () => {
    const chain = new UpcastChain([
      u('FundsWithdrawn', 1, 2, (e) => ({ ...e, type: 'MoneyWithdrawn' })),
      u('MoneyWithdrawn', 2, 3, (e) => ({ ...e, data: { amount: { value: (e.data as { amount: number }).amount } } })),
    ])
    expect(chain.apply(event('FundsWithdrawn', 1, { amount: 4 }))).toEqual([event('MoneyWithdrawn', 3, { amount: { value: 4 } })])
  })

  it('keeps a split in the order returned, lifting each part on', () => {
    const chain = new UpcastChain([
      u('Transfer', 1, 2, (e) => [{ ...e, type: 'Debited' }, { ...e, type: 'Credited' }]),
      u('Debited', 2, 3, (e) => ({ ...e, data: { lifted: true } })),
    ])
    expect(chain.apply(event('Transfer', 1)).map((e) => `${e.type} v${e.schemaVersion}`)).toEqual(['Debited v3', 'Credited v2'])
  })

  it('returns the very event when nothing applies', () => {
    const e = event('Other', 1)
    expect(new UpcastChain([u('A', 1, 2, (x) => x)]).apply(e)[0]).toBe(e)
  })

  it('names the upcaster when it returns something that is not an event, and refuses two for one type+from', () => {
    const broken = new UpcastChain([u('A', 1, 2, () => undefined as unknown as Event)])
    expect(() => broken.apply(event('A', 1))).toThrow(/upcaster A v1->v2 failed on event at position 1 .*returned undefined, expected an event/)
    expect(() => new UpcastChain([u('A', 1, 2, (e) => e), u('A', 1, 3, (e) => e)])).toThrow('two upcasters lift A from v1: A v1->v2 and A v1->v3')
  })

  it('ends even when renames go round in a circle: every step raises the version', () => {
    const circle = new UpcastChain([u('A', 1, 2, (e) => ({ ...e, type: 'B' })), u('B', 2, 3, (e) => ({ ...e, type: 'A' })), u('A', 3, 4, (e) => ({ ...e, type: 'B' }))])
    expect(circle.apply(event('A', 1))).toMatchObject([{ type: 'B', schemaVersion: 4 }])
  })

  it('wraps what an upcaster throws with the event it failed on', () => {
    const chain = new UpcastChain([u('A', 1, 2, () => {
      throw new Error('no amount')
    })])
    expect(() => chain.apply(event('A', 1))).toThrow(UpcastError)
    expect(() => chain.apply(event('A', 1))).toThrow('upcaster A v1->v2 failed on event at position 1 (A v1, stream s): no amount')
  })
})
