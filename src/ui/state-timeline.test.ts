import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { compileExpression } from '../events/expression.js'
import { toReducer, type Reducer } from '../fold/reducer.js'
import { accountEvents, accountReducer, balanceAfter } from './state-fixture.js'
import { StateTimeline } from './state-timeline.js'

/** Counts reducer calls, to check how much a jump refolds. */
function counting(reducer: Reducer): Reducer & { calls: number } {
  const counted = { ...reducer, calls: 0, apply: (s: unknown, e: Event) => (counted.calls++, reducer.apply(s, e)) }
  return counted
}

/** The account reducer, written to change the state it is given instead of returning a new one. */
const inPlaceReducer = (init: () => object): Reducer =>
  toReducer({
    init,
    evolve: (s: any, e: Event) => {
      const data = e.data as { amount?: number; owner?: string }
      if (data.owner !== undefined) s.owner = data.owner
      else s.balance += e.type === 'MoneyWithdrawn' ? -25 : data.amount!
      return s
    },
  }, 'in place')

describe('StateTimeline', () => {
  it('gives the state after any event, in any order, refolding at most N events per jump', () => {
    const events = accountEvents(1000)
    const reducer = counting(accountReducer())
    const timeline = new StateTimeline(events, reducer, 64)
    for (const index of [999, 0, 500, 499, 63, 64, 65, 998, 3, 640]) {
      reducer.calls = 0
      const state = timeline.stateAfter(index) as { owner: string; balance: number }
      expect(state).toEqual({ owner: 'Ada', balance: balanceAfter(events, index) })
      expect(reducer.calls).toBeLessThanOrEqual(64)
    }
  })

  it('steps forward with one reducer call', () => {
    const reducer = counting(accountReducer())
    const timeline = new StateTimeline(accountEvents(300), reducer, 100)
    timeline.transition(150)
    reducer.calls = 0
    timeline.transition(151)
    expect(reducer.calls).toBe(1)
  })

  it('keeps checkpoints intact when the reducer mutates the state it is given', () => {
    const events = accountEvents(50)
    const timeline = new StateTimeline(events, inPlaceReducer(() => ({ balance: 0, owner: null })), 8)
    for (const index of [49, 10, 10, 30, 11, 0, 49]) {
      expect((timeline.stateAfter(index) as { balance: number }).balance).toBe(balanceAfter(events, index))
    }
  })

  it('reports the fields the selected event changed, before and after', () => {
    const timeline = new StateTimeline(accountEvents(10), accountReducer())
    expect(timeline.transition(0).changes).toEqual([{ path: 'owner', before: null, after: 'Ada' }])
    expect(timeline.transition(4).changes).toEqual([{ path: 'balance', before: 60, after: 35 }])
  })

  it('puts each warning on the event that raised it', () => {
    const events = accountEvents(20)
    events[15].meta = { eventId: events[14].meta.eventId }
    events[18] = { ...events[18], version: 21 }
    const timeline = new StateTimeline(events, accountReducer())
    expect(timeline.warnings[15]).toEqual([expect.stringContaining('duplicate eventId evt-15')])
    expect(timeline.warnings[18]).toEqual([expect.stringContaining('version gap')])
    expect(timeline.warnings.filter((w) => w !== undefined)).toHaveLength(3) // the gap also shows on v20 going back
  })

  it('marks events whose type the reducer ignores', () => {
    const events = accountEvents(5)
    events[2] = { ...events[2], type: 'StatementSent' }
    const timeline = new StateTimeline(events, accountReducer())
    expect([...timeline.ignored]).toEqual([0, 0, 1, 0, 0])
    expect(timeline.summary).toContain('the reducer ignores StatementSent (1 event)')
  })

  it('searches type, data and metadata without case, wrapping around', () => {
    const timeline = new StateTimeline(accountEvents(20), accountReducer())
    expect(timeline.search('moneywithdrawn', 5)).toEqual({ index: 9, wrapped: false })
    expect(timeline.search('moneywithdrawn', 19)).toEqual({ index: 4, wrapped: true })
    expect(timeline.search('MoneyWithdrawn', 9, -1)).toEqual({ index: 4, wrapped: false })
    expect(timeline.search('EVT-13', 0)).toEqual({ index: 12, wrapped: false })
    expect(timeline.search('"amount":170', 0)).toEqual({ index: 17, wrapped: false })
    expect(timeline.search('nothing like this', 0)).toBeUndefined()
  })

  it('stops a state breakpoint where it becomes true, an event breakpoint at every match', () => {
    const events = accountEvents(40)
    const timeline = new StateTimeline(events, accountReducer())
    const rich = compileExpression('state.balance > 1000', { allowedRoots: ['state', 'event'] })
    const first = events.findIndex((_, i) => balanceAfter(events, i) > 1000)
    expect(timeline.nextBreak(rich, -1)).toBe(first)
    expect(timeline.nextBreak(rich, first)).toBeUndefined() // it stays true
    expect(timeline.holds(rich, first)).toBe(true)

    const withdrawal = compileExpression('event.type == "MoneyWithdrawn"', { allowedRoots: ['state', 'event'] })
    expect(timeline.nextBreak(withdrawal, 0)).toBe(4)
    expect(timeline.nextBreak(withdrawal, 4)).toBe(9)
    expect(timeline.nextBreak(withdrawal, 39)).toBeUndefined()
  })

  it('finds the last event at or before a time, version or position', () => {
    const timeline = new StateTimeline(accountEvents(10), accountReducer())
    expect(timeline.indexAtTime('2026-01-01T00:03:30.000Z')).toBe(3)
    expect(timeline.indexAtTime('2025-12-31T00:00:00.000Z')).toBe(-1)
    expect(timeline.indexAtVersion(7)).toBe(6)
    expect(timeline.indexAtVersion(70)).toBe(9)
    expect(timeline.indexAtPosition(104)).toBe(4)
  })

  it('names the event a failing reducer threw on', () => {
    const events = accountEvents(5)
    const broken = toReducer({ init: () => ({}), evolve: (s: any, e: Event) => { if (e.version === 3) throw new Error('boom'); return s } }, 'broken.ts')
    expect(() => new StateTimeline(events, broken)).toThrow('broken.ts threw on event at position 102 (MoneyDeposited, acc-1 v3): boom')
  })
})

describe('StateTimeline jumps by time, version and position', () => {
  const linear = (events: readonly Event[], holds: (e: Event, i: number) => boolean) => {
    for (let i = events.length - 1; i >= 0; i--) if (holds(events[i], i)) return i
    return -1
  }

  it('finds the last event at or before the point, whether the stream is in order or not', () => {
    const ordered = accountEvents(500)
    const shuffled = accountEvents(500).map((e, i) => (i === 250 ? { ...e, time: '2025-12-31T23:00:00.000Z', version: 3, position: 7 } : e))
    for (const events of [ordered, shuffled]) {
      const timeline = new StateTimeline(events, accountReducer())
      for (const k of [-1, 0, 3, 249, 250, 251, 499, 600]) {
        const time = k < 0 ? '2025-01-01T00:00:00.000Z' : k >= 500 ? '2027-01-01T00:00:00.000Z' : events[Math.min(k, 499)].time
        expect(timeline.indexAtTime(time)).toBe(linear(events, (e) => e.time <= time))
        expect(timeline.indexAtVersion(k + 1)).toBe(linear(events, (e, i) => (e.version ?? i + 1) <= k + 1))
        expect(timeline.indexAtPosition(100 + k)).toBe(linear(events, (e) => (e.position as number) <= 100 + k))
      }
    }
  })
})

describe('StateTimeline with a state that cannot be copied', () => {
  it('folds from the start instead of keeping copies, so a reducer that changes its state in place shows every state right', () => {
    const events = accountEvents(600)
    // A method in the state: structuredClone cannot copy it; the reducer changes the state it is given.
    function describe(this: { owner: string; balance: number }) {
      return `${this.owner}: ${this.balance}`
    }
    const timeline = new StateTimeline(events, inPlaceReducer(() => ({ balance: 0, owner: null, describe })))
    for (const index of [599, 10, 300, 301, 0, 257, 599]) {
      expect((timeline.stateAfter(index) as { balance: number }).balance).toBe(balanceAfter(events, index))
      const { before, after, changes } = timeline.transition(index)
      expect((after as { balance: number }).balance).toBe(balanceAfter(events, index))
      if (index > 0) expect(changes).toEqual([{ path: 'balance', before: balanceAfter(events, index - 1), after: balanceAfter(events, index) }])
      expect(before).not.toBe(after)
    }
  })
})
