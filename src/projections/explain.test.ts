import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { toReducer } from '../fold/reducer.js'
import { explainDrift, WorkBudget, type StreamEvents } from './explain.js'
import type { FoldPoint } from './row-match.js'

const reducer = toReducer({
  init: () => ({ balance: 0, deposits: 0 }),
  on: {
    Deposited: (s: any, e: Event) => ({ ...s, balance: s.balance + (e.data as any).amount, deposits: s.deposits + 1 }),
    Withdrawn: (s: any, e: Event) => ({ ...s, balance: s.balance - (e.data as any).amount }),
    Noted: (s: any) => s,
  },
}, 'test reducer')

const events = (specs: Array<[string, number?]>): StreamEvents => {
  const list = specs.map(([type, amount], i): Event => ({
    position: 100 + i, stream: 'a', version: i + 1, type, schemaVersion: 1, time: `2026-01-01T00:00:0${i}.000Z`, data: amount === undefined ? {} : { amount }, meta: { eventId: `e${i + 1}` },
  }))
  return { events: list, count: list.length, truncated: false }
}

/** The row a projection holds: balance, deposits and the version it stored. */
const row = (balance: number, deposits: number, version: number) => (p: FoldPoint) => {
  const s = p.state as { balance: number; deposits: number }
  return s.balance === balance && s.deposits === deposits && p.version === version
}

const stream = events([['Deposited', 100], ['Deposited', 50], ['Withdrawn', 30], ['Noted'], ['Deposited', 7]])
const budget = () => new WorkBudget(1_000_000)

describe('explainDrift', () => {
  it('(a) finds the earlier version the row equals and names the events it missed', () => {
    const e = explainDrift(stream, reducer, row(120, 2, 3), budget())
    expect(e.kind).toBe('behind')
    expect(e.text).toBe('the projection matches version 3 of 5: it missed events 4..5 (Noted, Deposited)')
  })

  it('(b) finds the event whose second application gives the row, naming type, data and eventId', () => {
    const e = explainDrift(stream, reducer, row(177, 4, 5), budget())
    expect(e.kind).toBe('twice')
    expect(e.text).toBe('event 2 (Deposited, amount 50, eventId e2, position 101) looks applied twice')
  })

  it('(c) finds the event whose omission gives the row', () => {
    const e = explainDrift(stream, reducer, row(157, 3, 5), budget())
    expect(e.kind).toBe('skipped')
    expect(e.text).toMatch(/^event 3 \(Withdrawn, amount 30, eventId e3, position 102\) looks skipped$/)
  })

  it('combines a double application with a projection that stopped early', () => {
    const e = explainDrift(stream, reducer, row(170, 3, 3), budget())
    expect(e.kind).toBe('twice')
    expect(e.text).toMatch(/^event 2 .* looks applied twice, and the projection stops at version 3 of 5: it missed events 4..5/)
  })

  it('says so when nothing simple explains the row, when the stream is too long, and when the budget is spent', () => {
    expect(explainDrift(stream, reducer, row(999, 9, 5), budget()).text).toMatch(/^no simple explanation: no earlier version/)
    expect(explainDrift({ ...stream, count: 5000, truncated: true }, reducer, row(999, 9, 5), budget()).text).toMatch(/stream has 5,000 events, more than --explain-limit 5/)
    expect(explainDrift(stream, reducer, row(177, 4, 5), new WorkBudget(8)).kind).toBe('none')
  })

  it('does not let a mutating reducer corrupt its fold checkpoints', () => {
    const mutating = toReducer({ init: () => ({ balance: 0, deposits: 0 }), on: { Deposited: (s: any, e: Event) => { s.balance += (e.data as any).amount; s.deposits++; return s } } }, 'mutating')
    const deposits = events([['Deposited', 10], ['Deposited', 20], ['Deposited', 30]])
    expect(explainDrift(deposits, mutating, row(30, 2, 2), budget()).text).toBe('the projection matches version 2 of 3: it missed event 3 (Deposited)')
    expect(explainDrift(deposits, mutating, row(80, 4, 3), budget()).text).toMatch(/^event 2 .* looks applied twice$/)
  })
})
