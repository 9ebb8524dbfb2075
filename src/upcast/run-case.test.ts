import { describe, expect, it } from 'vitest'
import type { Event } from '../events/event.js'
import { UpcastChain, type Upcaster } from './chain.js'
import { analyzeChain } from './completeness.js'
import type { FixtureCase } from './fixtures.js'
import { runCase } from './run-case.js'

const event = (over: Partial<Event> = {}): Event => ({
  position: 7, stream: 'acc-1', version: 2, type: 'Deposited', schemaVersion: 1, time: '2026-11-02T10:00:00.000Z',
  data: { amount: 5 }, meta: { eventId: 'e-7', correlationId: 'c-1', causationId: 'k-1' }, ...over,
})

const fixture = (inputs: Event[], expected?: Array<Record<string, unknown>>): FixtureCase => ({
  name: 'case', input: 'case.in.ndjson', golden: 'case.out.ndjson', goldenPath: '/nowhere/case.out.ndjson',
  inputs: inputs.map((e, i) => ({ event: e, raw: { ...e }, line: i + 1 })),
  expected: expected?.map((e, i) => ({ expected: e, line: i + 1 })),
})

const lift = (up: Upcaster['up'], extra: Partial<Upcaster> = {}): Upcaster => ({ type: 'Deposited', from: 1, to: 2, up, label: 'mod #1 (Deposited v1->v2)', ...extra })
const addCurrency = lift((e) => ({ ...e, data: { ...(e.data as object), currency: 'EUR' } }))

function check(upcasters: Upcaster[], c: FixtureCase) {
  const shape = analyzeChain(upcasters)
  return runCase(c, new UpcastChain(shape.runnable), shape.latest)
}

describe('runCase', () => {
  it('passes when the output matches the golden, ignoring key order and fields the golden leaves out', () => {
    const outcome = check([addCurrency], fixture([event()], [{ data: { currency: 'EUR', amount: 5 }, schemaVersion: 2, type: 'Deposited' }]))
    expect(outcome.report.failures).toEqual([])
    expect(outcome.report.outputEvents).toBe(1)
  })

  it('compares numbers exactly and names the golden line with a structural diff', () => {
    const outcome = check([addCurrency], fixture([event()], [{ type: 'Deposited', data: { amount: '5', currency: 'EUR' } }]))
    expect(outcome.report.failures).toHaveLength(1)
    expect(outcome.report.failures[0]).toMatchObject({
      check: 'golden', file: 'case.out.ndjson', line: 1,
      diff: [{ path: 'data.amount', kind: 'changed', expected: '5', actual: 5 }],
    })
  })

  it('compares the data a golden names whole: an extra field is a difference', () => {
    const outcome = check([addCurrency], fixture([event()], [{ type: 'Deposited', data: { amount: 5 } }]))
    expect(outcome.report.failures[0].diff).toEqual([{ path: 'data.currency', kind: 'unexpected', actual: 'EUR' }])
  })

  it('reports a strict-mode write to the frozen input as impure, naming the upcaster', () => {
    const mutate = lift((e) => {
      ;(e.data as Record<string, unknown>).currency = 'EUR'
      return e
    })
    const outcome = check([mutate], fixture([event()]))
    const purity = outcome.report.failures.filter((f) => f.check === 'purity')
    expect(purity).toHaveLength(1)
    expect(purity[0]).toMatchObject({ upcaster: 'mod #1 (Deposited v1->v2)', file: 'case.in.ndjson', line: 1 })
  })

  it('catches a sloppy-mode write too (it fails silently on a frozen object), with what changed', () => {
    // Function() bodies are sloppy-mode code, like an old CommonJS module.
    const sloppy = lift(new Function('e', 'e.data.currency = "EUR"; return e') as Upcaster['up'])
    const outcome = check([sloppy], fixture([event()]))
    const purity = outcome.report.failures.filter((f) => f.check === 'purity')
    expect(purity).toHaveLength(1)
    expect(purity[0].diff).toEqual([{ path: 'data.currency', kind: 'unexpected', actual: 'EUR' }])
  })

  it('reports an upcaster that gives different results on two runs', () => {
    let n = 0
    const counter = lift((e) => ({ ...e, data: { ...(e.data as object), n: n++ } }))
    const outcome = check([counter], fixture([event()]))
    const failure = outcome.report.failures.find((f) => f.check === 'determinism')
    expect(failure).toMatchObject({ upcaster: 'mod #1 (Deposited v1->v2)', diff: [{ path: 'data.n', expected: 0, actual: 1 }] })
  })

  it('reports a gap for an input version nothing lifts', () => {
    const v2to3 = lift((e) => e, { from: 2, to: 3, label: 'mod #1 (Deposited v2->v3)' })
    const outcome = check([v2to3], fixture([event({ schemaVersion: 1 })]))
    expect(outcome.report.failures).toContainEqual(expect.objectContaining({ check: 'chain complete', line: 1, reason: expect.stringContaining('no upcaster lifts Deposited from v1 (latest is v3)') }))
  })

  it('reports a dropped envelope field unless the golden gives it a new value', () => {
    const dropCausation = lift((e) => ({ ...e, meta: { eventId: (e.meta as Record<string, unknown>).eventId, correlationId: 'c-1' } }))
    const failing = check([dropCausation], fixture([event()]))
    expect(failing.report.failures).toContainEqual(expect.objectContaining({ check: 'envelope preserved', upcaster: 'mod #1 (Deposited v1->v2)', reason: expect.stringContaining('meta.causationId was "k-1", now missing') }))

    const newEventId = lift((e) => ({ ...e, meta: { ...e.meta, eventId: 'e-7-v2' } }))
    const declared = check([newEventId], fixture([event()], [{ type: 'Deposited', meta: { eventId: 'e-7-v2' } }]))
    expect(declared.report.failures).toEqual([])
  })

  it('lets events already at their latest version through unchanged and counts them', () => {
    const outcome = check([addCurrency], fixture([event({ schemaVersion: 2 }), event({ type: 'Opened' })], [{ type: 'Deposited', schemaVersion: 2 }, { type: 'Opened' }]))
    expect(outcome.report.failures).toEqual([])
    expect(outcome.tally).toEqual({ latestEvents: 2, liftedEvents: 0 })
  })

  it('follows a split into two golden lines and reports a missing one', () => {
    const split = lift((e) => [{ ...e, type: 'Deposited' }, { ...e, type: 'FeeCharged' }])
    const outcome = check([split], fixture([event()], [{ type: 'Deposited' }]))
    expect(outcome.report.outputEvents).toBe(2)
    expect(outcome.report.failures).toContainEqual(expect.objectContaining({ check: 'golden', line: 2, reason: expect.stringContaining('the golden file has 1') }))
  })

  it('reports an upcaster that throws, naming it and the input line, and asks for --update when there is no golden', () => {
    const boom = lift(() => {
      throw new Error('amount missing')
    })
    const outcome = check([boom], fixture([event()]))
    expect(outcome.report.failures.map((f) => f.check)).toEqual(['golden', 'golden'])
    expect(outcome.report.failures[0]).toMatchObject({ line: 1, upcaster: 'mod #1 (Deposited v1->v2)', reason: expect.stringContaining('amount missing') })
    expect(outcome.report.failures[1].reason).toMatch(/no golden file case\.out\.ndjson; run with --update/)
    expect(outcome.outputs).toBeUndefined()
  })
})
