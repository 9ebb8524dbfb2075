import { describe, expect, it } from 'vitest'
import { accountEvents, accountReducer } from './state-fixture.js'
import { initialView, pressKey, scrollTop, type KeyPress, type ViewState } from './state-navigation.js'
import { StateTimeline } from './state-timeline.js'

const ROWS = 10
const timeline = new StateTimeline(accountEvents(100), accountReducer())

const key = (name: keyof KeyPress['key']): KeyPress => ({ input: '', key: { [name]: true } })
const text = (input: string): KeyPress => ({ input, key: {} })

function press(view: ViewState, ...keys: Array<KeyPress | string>): ViewState {
  return keys.reduce<ViewState>((v, k) => pressKey(v, typeof k === 'string' ? text(k) : k, timeline, ROWS), view)
}

describe('pressKey', () => {
  const start = initialView(timeline, 99, ROWS)

  it('starts on the given event with it on screen', () => {
    expect(start).toMatchObject({ cursor: 99, top: 90 })
  })

  it('steps with arrows and j/k, pages by ten, and stops at both ends', () => {
    expect(press(start, key('leftArrow')).cursor).toBe(98)
    expect(press(start, 'k', 'k', key('rightArrow')).cursor).toBe(98)
    expect(press(start, key('pageUp'), key('pageUp'), key('pageDown')).cursor).toBe(89)
    expect(press(start, 'j').cursor).toBe(99)
    expect(press(start, 'g').cursor).toBe(0)
    expect(press(start, 'g', 'k', key('upArrow')).cursor).toBe(0)
    expect(press(start, 'g', 'G').cursor).toBe(99)
  })

  it('scrolls so the selected row stays visible', () => {
    const v = press(start, 'g', 'j', 'j')
    expect(v.top).toBe(0)
    const paged = press(v, key('pageDown'))
    expect(paged.cursor).toBe(12)
    expect(paged.cursor).toBeGreaterThanOrEqual(paged.top)
    expect(paged.cursor).toBeLessThan(paged.top + ROWS)
  })

  it('searches with / and repeats with n, N and an empty /', () => {
    const typed = press(start, 'g', '/', 'w', 'i', 't', 'h', 'd', 'r', 'a', 'w', 'n')
    expect(typed.prompt).toEqual({ kind: 'search', text: 'withdrawn' })
    const found = press(typed, key('return'))
    expect(found).toMatchObject({ cursor: 4, lastSearch: 'withdrawn', prompt: undefined })
    expect(found.message?.text).toBe('"withdrawn" at v5')
    expect(press(found, 'n').cursor).toBe(9)
    expect(press(found, 'n', 'N').cursor).toBe(4)
    expect(press(found, '/', key('return')).cursor).toBe(9)
  })

  it('takes typed text and Enter arriving in one chunk', () => {
    expect(press(start, 'g', '/', 'evt-42\r')).toMatchObject({ cursor: 41, prompt: undefined })
  })

  it('edits the prompt with backspace and cancels it with Esc', () => {
    const v = press(start, '/', 'a', 'b', key('backspace'))
    expect(v.prompt?.text).toBe('a')
    expect(press(v, key('escape'))).toMatchObject({ prompt: undefined, cursor: 99, quit: false })
  })

  it('says when nothing matches and stays put', () => {
    const v = press(start, '/', 'zebra', key('return'))
    expect(v.cursor).toBe(99)
    expect(v.message).toEqual({ text: 'no event matches "zebra"', tone: 'error' })
  })

  it('breaks on an expression and continues with b Enter', () => {
    const v = press(start, 'g', 'b', 'event.type == "MoneyWithdrawn"', key('return'))
    expect(v).toMatchObject({ cursor: 4, breakpoint: 'event.type == "MoneyWithdrawn"' })
    expect(press(v, 'b', key('return')).cursor).toBe(9)
    const rich = press(start, 'g', 'b', 'state.balance > 500', key('return'))
    expect((timeline.stateAfter(rich.cursor) as { balance: number }).balance).toBeGreaterThan(500)
    expect((timeline.stateAfter(rich.cursor - 1) as { balance: number }).balance).toBeLessThanOrEqual(500)
    expect(press(rich, 'b', key('return')).message?.text).toMatch(/no stop after v\d+ \(it already holds at v\d+\)/)
  })

  it('shows an invalid expression as a message, with its position', () => {
    const v = press(start, 'b', 'state.balance >', key('return'))
    expect(v.cursor).toBe(99)
    expect(v.prompt).toEqual({ kind: 'break', text: 'state.balance >' })
    expect(v.message?.tone).toBe('error')
    expect(v.message?.text).toMatch(/^invalid expression at column \d+: [^\n]+$/)
    expect(press(v, ' 1000').message).toBeUndefined()
    const unknown = press(start, 'b', 'balance > 3', key('return'))
    expect(unknown.message?.text).toContain("unknown name 'balance'")
  })

  it('jumps to the last event at or before a time', () => {
    expect(press(start, 't', '2026-01-01T00:30:30Z', key('return')).cursor).toBe(30)
    expect(press(start, 't', '2025-06-01', key('return'))).toMatchObject({ cursor: 0, message: { text: expect.stringContaining('every event is after') } })
    expect(press(start, 't', 'yesterday-ish', key('return')).message).toMatchObject({ tone: 'error', text: expect.stringContaining('is not a time') })
  })

  it('toggles help; q, Esc and Ctrl-C quit', () => {
    const help = press(start, '?')
    expect(help.help).toBe(true)
    expect(press(help, 'j')).toMatchObject({ help: false, cursor: 99 })
    expect(press(start, 'q').quit).toBe(true)
    expect(press(start, key('escape')).quit).toBe(true)
    expect(press(start, { input: 'c', key: { ctrl: true } }).quit).toBe(true)
    expect(press(start, '/', 'q').quit).toBe(false)
  })
})

describe('scrollTop', () => {
  it('moves the window only as far as needed for a step, and centres a far jump', () => {
    expect(scrollTop(0, 10, 10, 100)).toBe(1)
    expect(scrollTop(20, 19, 10, 100)).toBe(19)
    expect(scrollTop(0, 50, 10, 100)).toBe(45)
    expect(scrollTop(0, 99, 10, 100)).toBe(90)
    expect(scrollTop(20, 15, 10, 100, true)).toBe(10)
  })
})
