import { render, cleanup } from 'ink-testing-library'
import { stripVTControlCharacters } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { accountEvents, accountReducer } from './state-fixture.js'
import { StateTimeline } from './state-timeline.js'
import { StateApp } from './state-view.js'

const KEYS = {
  right: '\u001b[C',
  left: '\u001b[D',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  ctrlC: '\u0003',
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

function events() {
  const list = accountEvents(60)
  // v31 repeats v30's eventId: the view flags the row.
  list[30] = { ...list[30], meta: { eventId: 'evt-30' } }
  list[12] = { ...list[12], type: 'StatementSent', data: { period: '2026-01' } }
  return list
}

function open(start = 59) {
  const timeline = new StateTimeline(events(), accountReducer())
  const app = render(<StateApp timeline={timeline} stream="acc-1" sourceName="bank.db · reducer.ts" start={start} color={false} width={100} height={24} />)
  // The screen as a user reads it: without the escape codes of selection and dimming.
  const frame = () => stripVTControlCharacters(app.lastFrame() ?? '')
  /** Presses keys one by one, each time waiting for the frame it causes (at most a second). */
  const type = async (...keys: string[]) => {
    for (const k of keys) {
      const before = app.frames.length
      app.stdin.write(k)
      for (let waited = 0; app.frames.length === before && waited < 1000; waited += 5) await tick(5)
    }
  }
  /** The line of the event list that holds the cursor. */
  const selectedRow = () => frame().split('\n').find((l) => l.includes('▶')) ?? ''
  return { app, frame, type, selectedRow }
}

afterEach(() => cleanup())

describe('StateApp (keys in, frames out)', () => {
  it('opens on the last event: the list, the state after it and what it changed', () => {
    const { frame, selectedRow } = open()
    expect(frame()).toContain('rewind state acc-1  v60 · 60 of 60  bank.db · reducer.ts')
    expect(selectedRow()).toMatch(/▶ v60 +01-01 00:59:00 MoneyWithdrawn +amount=25 /)
    expect(frame()).toContain('state after v60: 1 field changed')
    expect(frame()).toMatch(/~ balance: \d+ -> \d+/)
    expect(frame()).toContain('owner: "Ada"')
    // Only the rows that fit are rendered: 24 rows of screen, 19 of them event rows.
    expect(frame()).not.toContain(' v41 ')
    expect(frame()).toContain(' v42 ')
  })

  it('highlights the selected row, and uses no colour when colours are off', async () => {
    const { app, type } = open()
    await type('k')
    const raw = app.lastFrame() ?? ''
    const selected = raw.split('\n').find((l) => l.includes('▶'))!
    expect(selected).toContain('\u001b[7m') // inverse video
    expect(raw).not.toMatch(/\u001b\[(3[0-7]|9[0-7])m/) // no foreground colours
  })

  it('steps with arrows, j/k and pages, showing before -> after for each event', async () => {
    const { type, selectedRow, frame } = open()
    await type(KEYS.left)
    expect(selectedRow()).toContain('v59')
    expect(frame()).toContain('v59 MoneyDeposited')
    expect(frame()).toMatch(/~ balance: (\d+) -> \d+/)
    await type('k', 'k', 'j')
    expect(selectedRow()).toContain('v58')
    await type(KEYS.pageUp, KEYS.pageUp)
    expect(selectedRow()).toContain('v38')
    await type(KEYS.pageDown, KEYS.right)
    expect(selectedRow()).toContain('v49')
    await type('g')
    expect(selectedRow()).toContain('▶ v1 ')
    expect(frame()).toContain('~ owner: null -> "Ada"')
    await type('G')
    expect(selectedRow()).toContain('v60')
  })

  it('marks the row with a warning and shows the warning in full for the selected event', async () => {
    const { type, frame, selectedRow } = open()
    expect(frame()).toMatch(/! 1 event with warnings/)
    await type('/', 'evt-30', KEYS.enter)
    expect(selectedRow()).toContain('v30 ')
    expect(frame()).toMatch(/ !v31 /)
    expect(frame()).not.toContain('duplicate eventId')
    await type('n')
    expect(selectedRow()).toMatch(/▶!v31 /)
    // Wrapped over lines of the right panel.
    expect(frame()).toContain('! duplicate eventId evt-30: MoneyWithdrawn')
    expect(frame()).toContain('v30 (position 129) and MoneyDeposited v31')
  })

  it('dims and names an event type the reducer ignores', async () => {
    const { type, frame } = open()
    await type('/', 'statementsent', KEYS.enter)
    expect(frame()).toContain('v13 StatementSent')
    expect(frame()).toContain('the reducer ignores StatementSent')
    expect(frame()).toContain('state after v13: no change')
  })

  it('searches with /, showing the prompt while typing', async () => {
    const { type, frame, selectedRow } = open(0)
    await type('/', 'Withdr')
    expect(frame().split('\n').at(-1)).toContain('/Withdr')
    await type(KEYS.enter)
    expect(selectedRow()).toContain('v5 ')
    expect(frame()).toContain('"Withdr" at v5')
    await type('n')
    expect(selectedRow()).toContain('v10 ')
  })

  it('jumps to the next event where a breakpoint becomes true', async () => {
    const { type, frame, selectedRow } = open(0)
    await type('b', 'state.balance >= 1000', KEYS.enter)
    expect(frame()).toMatch(/break: state\.balance >= 1000 at v(\d+)/)
    const stop = /at v(\d+)/.exec(frame())![1]
    expect(selectedRow()).toContain(`v${stop} `)
    expect(frame()).toMatch(/~ balance: \d{3} -> \d{4}/)
  })

  it('shows an expression error on the status line and keeps the typed text', async () => {
    const { type, frame, selectedRow } = open(0)
    await type('b', 'state.balance >>', KEYS.enter)
    const status = frame().split('\n').at(-1)
    expect(status).toContain('break when state.balance >>')
    expect(status).toContain("invalid expression at column 15: '>>' (bit shift) is not supported")
    expect(selectedRow()).toContain('v1 ')
    await type(KEYS.backspace, ' 25', KEYS.enter)
    expect(selectedRow()).toContain('v3 ')
    expect(frame()).toContain('break: state.balance > 25 at v3')
  })

  it('jumps to a time with t', async () => {
    const { type, selectedRow, frame } = open()
    await type('t', '2026-01-01T00:10:30Z', KEYS.enter)
    expect(selectedRow()).toContain('v11 ')
    expect(frame()).toContain('v11: the last event at or before 2026-01-01T00:10:30.000Z')
  })

  it('shows the keys with ? and closes them with any key', async () => {
    const { type, frame } = open()
    await type('?')
    expect(frame()).toContain('breakpoint: next event where the expression (state, event) becomes true')
    expect(frame()).toContain('! duplicate eventId evt-30')
    await type('x')
    expect(frame()).not.toContain('breakpoint: next event')
    expect(frame()).toContain('state after v60')
  })

  it('quits on q, Esc and Ctrl-C, and then ignores keys', async () => {
    for (const quit of ['q', KEYS.escape, KEYS.ctrlC]) {
      const { app } = open()
      app.stdin.write(quit)
      await tick(100) // a lone Esc waits to tell itself from the start of an escape sequence
      const frames = app.frames.length
      app.stdin.write('g')
      await tick(50)
      expect(app.frames.length).toBe(frames)
      cleanup()
    }
  })
})
