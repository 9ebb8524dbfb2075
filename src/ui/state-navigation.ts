import { UserError } from '../errors.js'
import { compileExpression } from '../events/expression.js'
import { parseTimeSpecText } from '../events/time.js'
import { eventLabel } from './state-format.js'
import type { Direction, StateTimeline } from './state-timeline.js'

/** The keys the view reacts to, as ink's useInput reports them (every field optional for tests). */
export interface KeyPress {
  input: string
  key: {
    upArrow?: boolean
    downArrow?: boolean
    leftArrow?: boolean
    rightArrow?: boolean
    pageUp?: boolean
    pageDown?: boolean
    home?: boolean
    end?: boolean
    return?: boolean
    escape?: boolean
    ctrl?: boolean
    backspace?: boolean
    delete?: boolean
    tab?: boolean
    meta?: boolean
  }
}

export type PromptKind = 'search' | 'break' | 'time'

export const PROMPT_LABELS: Record<PromptKind, string> = { search: '/', break: 'break when ', time: 'jump to time ' }

export interface Message {
  text: string
  tone: 'info' | 'error'
}

/** Everything the screen shows besides the data: which event, which row is on top, what is typed. */
export interface ViewState {
  cursor: number
  /** First visible row of the event list. */
  top: number
  prompt?: { kind: PromptKind; text: string }
  help: boolean
  message?: Message
  lastSearch?: string
  breakpoint?: string
  quit: boolean
}

/** --at (ISO), --version, --position, --stop-when: where the view starts. */
export interface StartOptions {
  at?: string
  version?: number
  position?: number | string
  /** Start where it first holds, and keep it as the breakpoint. */
  stopWhen?: string
}

/** Where the view starts, and what to say about it. */
export function startingPoint(timeline: StateTimeline, options: StartOptions): { start: number; initial: Partial<ViewState> } {
  const last = timeline.length - 1
  let start = last
  let message: Message | undefined
  let what: string | undefined
  if (options.version !== undefined) [start, what] = [timeline.indexAtVersion(options.version), `--version ${options.version}`]
  else if (options.at !== undefined) [start, what] = [timeline.indexAtTime(options.at), `--at ${options.at}`]
  else if (options.position !== undefined) [start, what] = [timeline.indexAtPosition(options.position), `--position ${options.position}`]
  if (start < 0) {
    start = 0
    message = { text: `every event comes after ${what}: showing the first`, tone: 'info' }
  }
  const initial: Partial<ViewState> = {}
  if (options.stopWhen !== undefined) {
    initial.breakpoint = options.stopWhen
    const hit = timeline.nextBreak(compileExpression(options.stopWhen, { allowedRoots: ['state', 'event'] }), -1)
    if (hit === undefined) message = { text: `--stop-when never became true`, tone: 'error' }
    else {
      start = hit
      message = { text: `--stop-when ${options.stopWhen}: stopped at ${eventLabel(timeline.event(hit))}  (b Enter: next)`, tone: 'info' }
    }
  }
  if (message !== undefined) initial.message = message
  return { start, initial }
}

export const PAGE = 10

/**
 * Keeps the cursor inside the visible rows. A far move, or a jump (search, breakpoint, time) off
 * screen, puts it in the middle so the events around it show.
 */
export function scrollTop(top: number, cursor: number, rows: number, total: number, jump = false): number {
  const visible = Math.max(1, rows)
  const maxTop = Math.max(0, total - visible)
  let next = top
  if (cursor < top || cursor >= top + visible) {
    const far = jump || cursor < top - visible || cursor >= top + 2 * visible
    next = far ? cursor - Math.floor(visible / 2) : cursor < top ? cursor : cursor - visible + 1
  }
  return Math.min(Math.max(0, next), maxTop)
}

export function initialView(timeline: StateTimeline, start: number, rows: number, extra: Partial<ViewState> = {}): ViewState {
  const cursor = Math.min(Math.max(start, 0), Math.max(timeline.length - 1, 0))
  return { cursor, top: scrollTop(0, cursor, rows, timeline.length), help: false, quit: false, ...extra }
}

const label = (timeline: StateTimeline, index: number): string => eventLabel(timeline.event(index))

function moveTo(view: ViewState, cursor: number, timeline: StateTimeline, rows: number, message?: Message): ViewState {
  const next = Math.min(Math.max(cursor, 0), timeline.length - 1)
  return { ...view, cursor: next, top: scrollTop(view.top, next, rows, timeline.length), message }
}

/** A move found by search, breakpoint or time: it comes with a message saying what was found. */
function jumpTo(view: ViewState, cursor: number, timeline: StateTimeline, rows: number, message: Message): ViewState {
  const next = Math.min(Math.max(cursor, 0), timeline.length - 1)
  return { ...view, cursor: next, top: scrollTop(view.top, next, rows, timeline.length, true), message }
}

function runSearch(view: ViewState, query: string, direction: Direction, timeline: StateTimeline, rows: number): ViewState {
  const hit = timeline.search(query, view.cursor, direction)
  if (hit === undefined) return { ...view, lastSearch: query, message: { text: `no event matches "${query}"`, tone: 'error' } }
  const wrapped = hit.wrapped ? ` (search wrapped to the ${direction === 1 ? 'first' : 'last'} event)` : ''
  return jumpTo({ ...view, lastSearch: query }, hit.index, timeline, rows, { text: `"${query}" at ${label(timeline, hit.index)}${wrapped}`, tone: 'info' })
}

function runBreak(view: ViewState, text: string, timeline: StateTimeline, rows: number): ViewState {
  const expression = compileExpression(text, { allowedRoots: ['state', 'event'] })
  const index = timeline.nextBreak(expression, view.cursor)
  const armed = { ...view, breakpoint: text }
  if (index === undefined) {
    const already = expression.identifiers.includes('state') && timeline.holds(expression, view.cursor) ? ` (it already holds at ${label(timeline, view.cursor)})` : ''
    return { ...armed, message: { text: `${text}: no stop after ${label(timeline, view.cursor)}${already}`, tone: 'error' } }
  }
  return jumpTo(armed, index, timeline, rows, { text: `break: ${text} at ${label(timeline, index)}  (b Enter: next)`, tone: 'info' })
}

function runTimeJump(view: ViewState, text: string, timeline: StateTimeline, rows: number): ViewState {
  const iso = parseTimeSpecText(text, 'time')
  const index = timeline.indexAtTime(iso)
  if (index < 0) return jumpTo(view, 0, timeline, rows, { text: `every event is after ${iso}: showing the first`, tone: 'info' })
  return jumpTo(view, index, timeline, rows, { text: `${label(timeline, index)}: the last event at or before ${iso}`, tone: 'info' })
}

function submit(view: ViewState, kind: PromptKind, typed: string, timeline: StateTimeline, rows: number): ViewState {
  const closed: ViewState = { ...view, prompt: undefined }
  // Enter on an empty prompt repeats the last search / breakpoint.
  const text = typed.trim() !== '' ? typed.trim() : kind === 'search' ? view.lastSearch : kind === 'break' ? view.breakpoint : undefined
  if (text === undefined) return { ...closed, message: undefined }
  try {
    if (kind === 'search') return runSearch(closed, text, 1, timeline, rows)
    if (kind === 'break') return runBreak(closed, text, timeline, rows)
    return runTimeJump(closed, text, timeline, rows)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    // The prompt stays open with the text, so a typo is fixed rather than retyped.
    return { ...view, prompt: { kind, text }, message: { text: error.message.split('\n')[0], tone: 'error' } }
  }
}

function editPrompt(view: ViewState, press: KeyPress, timeline: StateTimeline, rows: number): ViewState {
  const prompt = view.prompt!
  const { input, key } = press
  if (key.escape) return { ...view, prompt: undefined, message: undefined }
  if (key.return) return submit(view, prompt.kind, prompt.text, timeline, rows)
  if (key.backspace || key.delete) return { ...view, prompt: { ...prompt, text: prompt.text.slice(0, -1) }, message: undefined }
  if (key.ctrl && input === 'u') return { ...view, prompt: { ...prompt, text: '' }, message: undefined }
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return view
  // Pasted text arrives as one input; keep printable characters only.
  const printable = input.replace(/[\u0000-\u001f\u007f]/g, '')
  return printable === '' ? view : { ...view, prompt: { ...prompt, text: prompt.text + printable }, message: undefined }
}

function singleKey(ch: string): KeyPress {
  if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } }
  if (ch === '\u007f' || ch === '\b') return { input: '', key: { backspace: true } }
  if (ch === '\t') return { input: '', key: { tab: true } }
  return { input: ch, key: {} }
}

/**
 * The whole interaction as a pure function: a key in, the next view state out. `rows` is how
 * many event rows fit on screen (for scrolling).
 */
export function pressKey(view: ViewState, press: KeyPress, timeline: StateTimeline, rows: number): ViewState {
  const { input, key } = press
  if (key.ctrl && input === 'c') return { ...view, quit: true }
  // Keys that arrive together (fast typing, paste, "text" + Enter) come as one input: one at a time.
  if (input.length > 1 && !key.ctrl && !key.meta) {
    let next = view
    for (const ch of input) next = pressKey(next, singleKey(ch), timeline, rows)
    return next
  }
  if (timeline.length === 0) return input === 'q' || key.escape ? { ...view, quit: true } : view
  if (view.prompt !== undefined) return editPrompt(view, press, timeline, rows)
  if (view.help) return input === 'q' ? { ...view, quit: true } : { ...view, help: false }

  const step = (delta: number) => moveTo(view, view.cursor + delta, timeline, rows)
  if (key.rightArrow || key.downArrow || input === 'j') return step(1)
  if (key.leftArrow || key.upArrow || input === 'k') return step(-1)
  if (key.pageDown || input === ' ') return step(PAGE)
  if (key.pageUp) return step(-PAGE)
  if (key.home || input === 'g') return moveTo(view, 0, timeline, rows)
  if (key.end || input === 'G') return moveTo(view, timeline.length - 1, timeline, rows)
  if (input === '/') return { ...view, prompt: { kind: 'search', text: '' }, message: undefined }
  if (input === 'b') return { ...view, prompt: { kind: 'break', text: '' }, message: undefined }
  if (input === 't') return { ...view, prompt: { kind: 'time', text: '' }, message: undefined }
  if (input === 'n' || input === 'N') {
    if (view.lastSearch === undefined) return { ...view, message: { text: 'no search yet: press / to search', tone: 'error' } }
    return runSearch(view, view.lastSearch, input === 'n' ? 1 : -1, timeline, rows)
  }
  if (input === '?') return { ...view, help: true }
  if (input === 'q' || key.escape) return { ...view, quit: true }
  return view
}
