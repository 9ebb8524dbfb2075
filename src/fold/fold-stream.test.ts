import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { compileExpression } from '../events/expression.js'
import type { EventSource } from '../sources/source.js'
import { UpcastChain } from '../upcast/chain.js'
import { foldStream } from './fold-stream.js'
import { mergeReducer, toReducer } from './reducer.js'
import { replayAll } from './replay.js'

function memorySource(events: Array<Partial<Event>>): EventSource {
  const all = events.map((e, i): Event => ({ position: i + 1, stream: 'acc-1', version: i + 1, type: 'T', schemaVersion: 1, time: `2026-11-01T10:0${i}:00.000Z`, data: {}, meta: {}, ...e }))
  return {
    name: 'memory',
    kind: 'file',
    async *batches(options = {}) {
      yield all.filter((e) => (options.stream === undefined || e.stream === options.stream) && (options.untilPosition === undefined || Number(e.position) <= Number(options.untilPosition)))
    },
    similarStreams: async () => ['acc-1'],
    summarize: async () => { throw new Error('unused') },
    close: async () => {},
  }
}

const bank = toReducer({
  init: () => ({ balance: 0 }),
  on: {
    Deposited: (s: { balance: number }, e: Event) => ({ ...s, balance: s.balance + (e.data as { amount: number }).amount }),
    Withdrawn: (s: { balance: number }, e: Event) => ({ ...s, balance: s.balance - (e.data as { amount: number }).amount }),
  },
}, 'bank.ts')

const history = [
  { type: 'Opened', data: { owner: 'Ada' } },
  { type: 'Deposited', data: { amount: 100 }, meta: { eventId: 'e2' } },
  { type: 'Withdrawn', data: { amount: 30 }, meta: { eventId: 'e3' } },
  { type: 'Deposited', data: { amount: 50 }, meta: { eventId: 'e4' } },
]

describe('foldStream', () => {
  it('merges event data into the state without a reducer', async () => {
    const result = await foldStream(memorySource(history), 'acc-1', { reducer: mergeReducer })
    expect(result.state).toEqual({ owner: 'Ada', amount: 50 })
    expect(result.version).toBe(4)
  })

  it('rebuilds as of a version, a position and a time', async () => {
    const source = memorySource(history)
    expect((await foldStream(source, 'acc-1', { reducer: bank, version: 2 })).state).toEqual({ balance: 100 })
    expect((await foldStream(source, 'acc-1', { reducer: bank, position: 3 })).state).toEqual({ balance: 70 })
    expect((await foldStream(source, 'acc-1', { reducer: bank, at: '2026-11-01T10:02:30.000Z' })).state).toEqual({ balance: 70 })
  })

  it('traces each event with the fields it changed, before -> after', async () => {
    const result = await foldStream(memorySource(history), 'acc-1', { reducer: bank, trace: true })
    expect(result.trace!.map((r) => [r.version, r.type, r.changes])).toEqual([
      [1, 'Opened', []],
      [2, 'Deposited', [{ path: 'balance', before: 0, after: 100 }]],
      [3, 'Withdrawn', [{ path: 'balance', before: 100, after: 70 }]],
      [4, 'Deposited', [{ path: 'balance', before: 70, after: 120 }]],
    ])
  })

  it('blames each leaf field on the event that last set it', async () => {
    const result = await foldStream(memorySource(history), 'acc-1', { reducer: mergeReducer, blame: true })
    expect(result.blame!.map((b) => [b.field, b.value, b.event?.version])).toEqual([['owner', 'Ada', 1], ['amount', 50, 4]])
  })

  it('stops at the first event after which --stop-when holds', async () => {
    const expression = compileExpression('state.balance < 100 && event.type == "Withdrawn"', { allowedRoots: ['state', 'event'] })
    const result = await foldStream(memorySource(history), 'acc-1', { reducer: bank, stopWhen: (scope) => expression.test(scope) })
    expect(result.stoppedAt).toMatchObject({ version: 3, type: 'Withdrawn' })
    expect(result.state).toEqual({ balance: 70 })
  })

  it('warns about a duplicate eventId, a version gap and repeat, time going backwards, and ignored types once per type', async () => {
    const events = [
      { type: 'Deposited', data: { amount: 1 }, meta: { eventId: 'x' }, version: 1, time: '2026-11-01T10:00:00.000Z' },
      { type: 'Deposited', data: { amount: 1 }, meta: { eventId: 'x' }, version: 2, time: '2026-11-01T10:01:00.000Z' },
      { type: 'Frozen', version: 4, time: '2026-11-01T10:02:00.000Z' },
      { type: 'Frozen', version: 4, time: '2026-11-01T09:00:00.000Z' },
    ]
    const result = await foldStream(memorySource(events), 'acc-1', { reducer: bank })
    expect(result.warnings).toEqual([
      'duplicate eventId x: Deposited v1 (position 1) and Deposited v2 (position 2)',
      'version gap: 2 is followed by 4 (missing 3)',
      'version 4 repeats (positions 3 and 4)',
      'time goes backwards at v4 (position 4): 2026-11-01T09:00:00.000Z is before 2026-11-01T10:02:00.000Z',
      'the reducer ignores Frozen (2 events)',
    ])
  })

  it('names the event a reducer threw on', async () => {
    const broken = toReducer({ init: () => ({}), on: { Withdrawn: () => { throw new Error('insufficient funds') } } }, 'bank.ts')
    await expect(foldStream(memorySource(history), 'acc-1', { reducer: broken })).rejects.toThrow('bank.ts threw on event at position 3 (Withdrawn, acc-1 v3): insufficient funds')
  })

  it('suggests similar streams for an unknown one', async () => {
    await expect(foldStream(memorySource(history), 'acc-9', { reducer: bank })).rejects.toThrow('memory: no stream "acc-9"; did you mean acc-1?')
  })

  it('upcasts before folding (a rename and a new field)', async () => {
    const chain = new UpcastChain([
      { type: 'Credited', from: 1, to: 2, up: (e) => ({ ...e, type: 'Deposited' }) },
      { type: 'Deposited', from: 2, to: 3, up: (e) => ({ ...e, data: { amount: (e.data as { cents: number }).cents / 100 } }) },
    ])
    const result = await foldStream(memorySource([{ type: 'Credited', data: { cents: 250 } }]), 'acc-1', { reducer: bank, upcasters: chain })
    expect(result.state).toEqual({ balance: 2.5 })
  })
})

describe('reducer shapes', () => {
  it('accepts a plain function, Emmett-style {initialState, evolve}, and {init, on}', async () => {
    const source = memorySource(history)
    const fn = toReducer((s: { n?: number } = {}) => ({ n: (s.n ?? 0) + 1 }), 'fn.js')
    expect((await foldStream(source, 'acc-1', { reducer: fn })).state).toEqual({ n: 4 })
    const emmett = toReducer({ initialState: () => ({ n: 10 }), evolve: (s: { n: number }) => ({ n: s.n + 1 }) }, 'e.ts')
    expect((await foldStream(source, 'acc-1', { reducer: emmett })).state).toEqual({ n: 14 })
  })

  it('rejects a module that is not a reducer', () => {
    expect(() => toReducer(42, 'r.ts')).toThrow(/r\.ts: expected a reducer/)
    expect(() => toReducer({ on: { A: 1 } }, 'r.ts')).toThrow(/"on" must map event types to functions/)
  })
})

describe('replayAll', () => {
  it('keeps one state per stream, filtered', async () => {
    const events = [{ stream: 'a', data: { x: 1 } }, { stream: 'b', data: { x: 2 } }, { stream: 'a', data: { y: 3 } }]
    const source = memorySource(events)
    const result = await replayAll(source, { reducer: mergeReducer, filter: (e) => e.stream !== 'b' })
    expect([...result.states]).toEqual([['a', { version: 3, events: 2, state: { x: 1, y: 3 }, time: '2026-11-01T10:02:00.000Z', position: 3 }]])
    expect(result.read).toBe(3)
  })
})
