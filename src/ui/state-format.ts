import type { Event } from '../events/event.js'
import { leaves, type FieldChange } from '../fold/changes.js'
import { compactJson, inlineValue } from '../output/json.js'
import type { RowStats, Transition } from './state-timeline.js'
import { terminalJson, visible } from '../events/terminal-text.js'

/** Cuts text to `width` columns, marking the cut with an ellipsis. */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}

export const pad = (text: string, width: number): string => fit(text, width).padEnd(width)

/** Splits text into lines of at most `width` columns, at spaces when it can. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return []
  const lines: string[] = []
  let rest = text
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width)
    const cut = space > width / 3 ? space : width
    lines.push(rest.slice(0, cut).trimEnd())
    rest = rest.slice(cut).trimStart()
  }
  if (rest !== '' || lines.length === 0) lines.push(rest)
  return lines
}

export const eventLabel = (event: Event): string => (event.version === undefined ? `#${event.position}` : `v${event.version}`)

/** Row times: "11-04 06:53:00" when the stream stays in one year, else with the year. */
export function timeFormatter(oneYear: boolean): (time: string) => string {
  return oneYear
    ? (time) => `${time.slice(5, 10)} ${time.slice(11, 19)}`
    : (time) => `${time.slice(0, 10)} ${time.slice(11, 19)}`
}

export interface RowColumns {
  version: number
  time: number
  type: number
}

/** Column widths for the event list, from the whole stream (see RowStats) so they do not jump while scrolling. */
export function rowColumns(stats: RowStats, firstTime: string | undefined, format: (time: string) => string): RowColumns {
  return { version: stats.labelWidth, time: firstTime === undefined ? 0 : format(firstTime).length, type: stats.typeWidth }
}

const BARE = /^[^\s"=]+$/

/**
 * An event's data in a row: its leaf fields as name=value, named by their last key, e.g.
 * `value=117 currency=EUR` for {"amount":{"value":117,"currency":"EUR"}}. The panel shows it whole.
 */
export function shortData(event: Event, width: number): string {
  const data = event.data
  if (data === null || typeof data !== 'object') return fit(terminalJson(compactJson(data)), width)
  const parts: string[] = []
  let length = 0
  for (const [path, value] of leaves(data)) {
    const name = path.endsWith('"]') ? path : path.slice(path.lastIndexOf('.') + 1)
    const text = typeof value === 'string' && BARE.test(value) ? visible(value) : terminalJson(compactJson(value))
    parts.push(`${visible(name)}=${text}`)
    length += name.length + text.length + 2
    if (length > width) break
  }
  return fit(parts.join(' '), width)
}

/** One line of the state panel. `change` is set for fields the selected event changed. */
export interface StateLine {
  path: string
  value: unknown
  change?: { kind: 'added' | 'removed' | 'changed'; before: unknown; after: unknown }
}

const changeKind = (c: FieldChange): 'added' | 'removed' | 'changed' =>
  c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'changed'

/** The state after the event as field lines, changed fields carrying before -> after. */
export function stateLines(transition: Transition): StateLine[] {
  const changed = new Map(transition.changes.map((c) => [c.path, c]))
  const lines: StateLine[] = []
  for (const [path, value] of leaves(transition.after)) {
    const c = changed.get(path)
    lines.push({ path: path || '(state)', value, change: c && { kind: changeKind(c), before: c.before, after: c.after } })
    changed.delete(path)
  }
  // Fields the event removed are no longer in the state: list them after the rest.
  for (const c of changed.values()) lines.push({ path: c.path || '(state)', value: undefined, change: { kind: 'removed', before: c.before, after: undefined } })
  if (lines.length === 0) lines.push({ path: '(state)', value: transition.after })
  return lines
}

/** A field line's texts within `width` columns: "  path: value" or "~ path: before -> after". */
export function fieldTexts(line: StateLine, width: number): { mark: string; path: string; value?: string; before?: string; after?: string } {
  const path = fit(visible(line.path), Math.max(8, Math.floor(width / 2)))
  const room = Math.max(8, width - path.length - 4)
  const c = line.change
  if (c === undefined) return { mark: ' ', path, value: inlineValue(line.value, room) }
  const mark = c.kind === 'added' ? '+' : c.kind === 'removed' ? '-' : '~'
  const before = inlineValue(c.before, 4 * width)
  const after = inlineValue(c.after, 4 * width)
  const both = Math.max(12, room - 4)
  if (before.length + after.length <= both) return { mark, path, before, after }
  // The new value matters more: the old one gets at most half.
  const beforeRoom = Math.max(5, Math.min(before.length, Math.floor(both / 2)))
  return { mark, path, before: fit(before, beforeRoom), after: fit(after, Math.max(5, both - beforeRoom)) }
}

/** Which slice of `total` lines to show in `room` rows so that line `focus` is visible. */
export function windowAround(total: number, room: number, focus: number): { start: number; end: number } {
  if (total <= room) return { start: 0, end: total }
  const start = Math.min(Math.max(0, focus - Math.floor(room / 3)), total - room)
  return { start, end: start + room }
}
