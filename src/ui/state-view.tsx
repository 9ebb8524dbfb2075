import { Chalk } from 'chalk'
import { Box, Text, useApp, useInput, useStdout } from 'ink'
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { compactJson } from '../output/json.js'
import { typeColor } from '../output/colors.js'
import { eventLabel, fieldTexts, fit, pad, rowColumns, shortData, stateLines, timeFormatter, windowAround, wrapText, type StateLine } from './state-format.js'
import { initialView, pressKey, PROMPT_LABELS, scrollTop, type ViewState } from './state-navigation.js'
import type { StateTimeline, Transition } from './state-timeline.js'
import { terminalJson, visible } from '../events/terminal-text.js'

export interface StateAppProps {
  timeline: StateTimeline
  stream: string
  /** The store and the reducer, for the title line. */
  sourceName: string
  /** Where the view starts (index into the timeline) and what it starts with (message, breakpoint). */
  start: number
  initial?: Partial<ViewState>
  /** Colours (off with NO_COLOR or when not a terminal); inverse and bold stay. */
  color?: boolean
  /** Screen size; defaults to the terminal's, following resizes. */
  width?: number
  height?: number
  /** Called with the selected event index whenever it changes. */
  onCursor?: (index: number) => void
}

/** Rows the frame takes besides the event rows: title, status line, two borders, and one spare row. */
const CHROME_ROWS = 5

export const listRowsFor = (height: number): number => Math.max(1, height - CHROME_ROWS)

function useScreenSize(width?: number, height?: number): { columns: number; rows: number } {
  const { stdout } = useStdout()
  const read = () => ({ columns: width ?? stdout.columns ?? 100, rows: height ?? stdout.rows ?? 30 })
  const [size, setSize] = useState(read)
  useEffect(() => {
    if (width !== undefined && height !== undefined) return
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout, width, height])
  return size
}

export function StateApp(props: StateAppProps): ReactNode {
  const { timeline, onCursor } = props
  const { exit } = useApp()
  const { columns, rows } = useScreenSize(props.width, props.height)
  const listRows = listRowsFor(rows)
  const listRowsRef = useRef(listRows)
  listRowsRef.current = listRows
  const [view, setView] = useState<ViewState>(() => initialView(timeline, props.start, listRows, props.initial))

  useInput((input, key) => setView((v) => pressKey(v, { input, key }, timeline, listRowsRef.current)))
  useEffect(() => {
    if (view.quit) exit()
  }, [view.quit, exit])
  useEffect(() => {
    onCursor?.(view.cursor)
  }, [view.cursor, onCursor])
  // One more render soon after the first frame (the same frame, so nothing is written): the
  // update path of React and ink is then compiled before the first key needs it (~55 -> ~30 ms).
  const [, setWarm] = useState(false)
  useEffect(() => {
    const timer = setTimeout(() => setWarm(true), 50)
    return () => clearTimeout(timer)
  }, [])
  // Idle work (parsing the events' pages, nearest the selected event first, then search texts) in
  // slices between keys, so that a jump, a breakpoint or `/` on a long stream answers at once. A
  // key waits for a slice at most: one page's parse (~5 ms), as a slice stops at the first page
  // past its 3 ms; a key that comes meanwhile is read before the next slice. It starts after a
  // person's first key usually comes: its garbage made that key ~20 ms slower.
  const cursorRef = useRef(view.cursor)
  cursorRef.current = view.cursor
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined
    let next: NodeJS.Immediate | undefined
    const slice = () => {
      if (timeline.prepare(3, cursorRef.current)) next = setImmediate(slice)
    }
    timer = setTimeout(slice, 400)
    return () => {
      clearTimeout(timer)
      if (next !== undefined) clearImmediate(next)
    }
  }, [timeline])

  const transition = useMemo(() => (timeline.length === 0 ? undefined : timeline.transition(view.cursor)), [timeline, view.cursor])

  if (columns < 40 || rows < 10) return <Text>terminal too small for rewind state -i ({columns}x{rows}; needs 40x10): q quits</Text>

  const leftWidth = Math.min(Math.max(Math.round(columns * 0.55), 40), columns - 24)
  const bodyHeight = rows - 3
  const top = scrollTop(view.top, view.cursor, listRows, timeline.length)
  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <TitleLine {...props} view={view} columns={columns} />
      {view.help ? (
        <HelpPanel timeline={timeline} height={bodyHeight} />
      ) : (
        <Box flexDirection="row" height={bodyHeight}>
          <EventList timeline={timeline} cursor={view.cursor} top={top} rows={listRows} width={leftWidth} color={props.color !== false} />
          <StatePanel timeline={timeline} transition={transition} width={columns - leftWidth} height={bodyHeight} color={props.color !== false} />
        </Box>
      )}
      <StatusLine view={view} columns={columns} color={props.color !== false} />
    </Box>
  )
}

function TitleLine(props: StateAppProps & { view: ViewState; columns: number }): ReactNode {
  const { timeline, view, columns } = props
  const flagged = timeline.flagged
  const where = timeline.length === 0 ? 'no events' : `${eventLabel(timeline.event(view.cursor))} · ${view.cursor + 1} of ${timeline.length}`
  const right = `${flagged > 0 ? `! ${flagged} event${flagged === 1 ? '' : 's'} with warnings  ` : ''}? help`
  const left = fit(visible(`rewind state ${props.stream}  ${where}  ${props.sourceName}`), Math.max(0, columns - right.length - 1))
  return (
    <Box width={columns} justifyContent="space-between">
      <Text bold wrap="truncate-end">{left}</Text>
      <Text color={flagged > 0 && props.color !== false ? 'red' : undefined}>{right}</Text>
    </Box>
  )
}

interface EventListProps {
  timeline: StateTimeline
  cursor: number
  top: number
  rows: number
  width: number
  color: boolean
}

// Selection, dim and bold stay without colours (NO_COLOR asks only for no colour).
const style = new Chalk({ level: 1 })

/**
 * The visible rows only, as one pre-styled text: ink redraws every cell of the screen per frame,
 * and one text node per row (instead of several) keeps a key's frame cheap on long streams.
 */
function EventList({ timeline, cursor, top, rows, width, color }: EventListProps): ReactNode {
  const format = useMemo(() => timeFormatter(timeline.stats.oneYear), [timeline])
  const columns = useMemo(() => rowColumns(timeline.stats, timeline.length === 0 ? undefined : timeline.event(0).time, format), [timeline, format])
  const inner = width - 2
  const fixed = 2 + columns.version + 1 + columns.type + 1
  const showTime = inner - fixed - columns.time - 1 >= 10
  const dataWidth = inner - fixed - (showTime ? columns.time + 1 : 0)
  const end = Math.min(timeline.length, top + rows)
  const lines: string[] = []
  for (let i = top; i < end; i++) {
    const event = timeline.event(i)
    const selected = i === cursor
    const warned = timeline.warnings[i] !== undefined
    const type = pad(visible(event.type), columns.type)
    const typeText = color ? typeColor(style, event.type)(type) : type
    const data = shortData(event, dataWidth)
    const line =
      (selected ? style.bold('▶') : ' ') +
      (warned ? style.bold(color ? style.red('!') : '!') : ' ') +
      pad(eventLabel(event), columns.version) + ' ' +
      (showTime ? (selected ? visible(format(event.time)) : style.dim(visible(format(event.time)))) + ' ' : '') +
      (timeline.ignored[i] && !selected ? style.dim(typeText) : typeText) + ' ' +
      (selected ? data.padEnd(dataWidth) : style.dim(data))
    lines.push(selected ? style.inverse(line) : line)
  }
  return (
    <Box flexDirection="column" borderStyle="single" width={width} height={rows + 2} flexShrink={0}>
      <Text wrap="truncate-end">{lines.join('\n')}</Text>
    </Box>
  )
}

function FieldLine({ line, width, color }: { line: StateLine; width: number; color: boolean }): ReactNode {
  const t = fieldTexts(line, width)
  if (t.value !== undefined) return <Text wrap="truncate-end">{'  '}{t.path}: {t.value}</Text>
  return (
    <Text wrap="truncate-end">
      <Text bold color={color ? 'yellow' : undefined}>{t.mark} {t.path}</Text>: <Text color={color ? 'red' : undefined}>{t.before}</Text> -&gt;{' '}
      <Text bold color={color ? 'green' : undefined}>{t.after}</Text>
    </Text>
  )
}

function StatePanel({ timeline, transition, width, height, color }: { timeline: StateTimeline; transition?: Transition; width: number; height: number; color: boolean }): ReactNode {
  const inner = width - 3
  const room = height - 2
  const out: ReactNode[] = []
  if (transition !== undefined) {
    const { event, index } = transition
    out.push(
      <Text key="h1" wrap="truncate-end">
        <Text bold>{eventLabel(event)} {visible(event.type)}</Text>
        <Text dimColor>  schema v{event.schemaVersion}</Text>
      </Text>,
      <Text key="h2" dimColor wrap="truncate-end">
        {visible(`${event.time}  position ${String(event.position)}`)}
      </Text>,
    )
    if (timeline.ignored[index]) out.push(<Text key="ign" color={color ? 'yellow' : undefined} wrap="truncate-end">the reducer ignores {visible(event.type)}</Text>)
    const warnings = (timeline.warnings[index] ?? []).flatMap((w) => wrapText(`! ${visible(w)}`, inner)).slice(0, Math.max(0, Math.floor(room / 3)))
    warnings.forEach((w, i) => out.push(<Text key={`w${i}`} color={color ? 'red' : undefined} wrap="truncate-end">{w}</Text>))

    const lines = stateLines(transition)
    const changed = transition.changes.length
    const title = `state after ${eventLabel(event)}: ${changed === 0 ? 'no change' : `${changed} field${changed === 1 ? '' : 's'} changed`}`
    out.push(<Text key="gap1"> </Text>, <Text key="st" dimColor wrap="truncate-end">{title}</Text>)
    const stateRoom = Math.max(1, room - out.length)
    const focus = Math.max(0, lines.findIndex((l) => l.change !== undefined))
    const { start, end } = windowAround(lines.length, lines.length > stateRoom ? stateRoom - 1 : stateRoom, focus)
    for (let i = start; i < end; i++) out.push(<FieldLine key={`f${i}`} line={lines[i]} width={inner} color={color} />)
    if (end - start < lines.length) out.push(<Text key="more" dimColor>  … {lines.length - (end - start)} more field{lines.length - (end - start) === 1 ? '' : 's'}</Text>)

    const left = room - out.length
    if (left >= 3) {
      const data = wrapText(`data ${terminalJson(compactJson(event.data))}`, inner)
      const meta = wrapText(`meta ${terminalJson(compactJson(event.meta))}`, inner)
      const detail = [...data, ...meta].slice(0, left - 1)
      out.push(<Text key="gap2"> </Text>)
      detail.forEach((d, i) => out.push(<Text key={`d${i}`} dimColor wrap="truncate-end">{d}</Text>))
    }
  } else {
    out.push(<Text key="empty">no events</Text>)
  }
  return (
    <Box flexDirection="column" borderStyle="single" width={width} height={height} paddingLeft={1} overflow="hidden">
      {out.slice(0, room)}
    </Box>
  )
}

const HELP: Array<[string, string]> = [
  ['→ ← / j k / ↓ ↑', 'next / previous event'],
  ['PgDn PgUp', 'ten events forward / back'],
  ['g G (Home End)', 'first / last event'],
  ['/ text Enter', 'next event whose type, data or metadata contains the text; n / N: next / previous match'],
  ['b expr Enter', 'breakpoint: next event where the expression (state, event) becomes true, e.g. state.balance > 1000 or event.data.amount.value > 400; b Enter: the next stop'],
  ['t time Enter', 'last event at or before a time: 2026-11-03T12:00, 1762171200, -2h, 3 days ago'],
  ['?', 'this help (any key closes it)'],
  ['q Esc Ctrl-C', 'quit'],
]

function HelpPanel({ timeline, height }: { timeline: StateTimeline; height: number }): ReactNode {
  return (
    <Box flexDirection="column" borderStyle="single" height={height} paddingLeft={1} overflow="hidden">
      <Text bold>keys</Text>
      {HELP.map(([keys, what]) => (
        <Box key={keys}>
          <Box width={18} flexShrink={0}><Text bold>{keys}</Text></Box>
          <Text>{what}</Text>
        </Box>
      ))}
      <Text> </Text>
      <Text bold>rows</Text>
      <Text>▶ the selected event; ! it raised a warning (shown in full on the right); a dim type: the reducer ignores it</Text>
      {timeline.summary.length > 0 ? (
        <>
          <Text> </Text>
          <Text bold>warnings in this stream</Text>
          {timeline.summary.map((w, i) => <Text key={i} wrap="truncate-end">! {visible(w)}</Text>)}
        </>
      ) : null}
    </Box>
  )
}

function StatusLine({ view, columns, color }: { view: ViewState; columns: number; color: boolean }): ReactNode {
  if (view.prompt !== undefined) {
    const { kind, text } = view.prompt
    const last = kind === 'search' ? view.lastSearch : kind === 'break' ? view.breakpoint : undefined
    const hint = text === '' && last !== undefined ? `  (Enter: ${last})` : '  (Enter: go, Esc: cancel)'
    const error = view.message?.tone === 'error' ? view.message.text : undefined
    return (
      <Text wrap="truncate-end">
        <Text bold color={color ? 'cyan' : undefined}>{PROMPT_LABELS[kind]}</Text>
        {text}
        <Text inverse> </Text>
        {error === undefined ? <Text dimColor>{hint}</Text> : <Text color={color ? 'red' : undefined}>  {error}</Text>}
      </Text>
    )
  }
  if (view.message !== undefined) {
    const tone = view.message.tone === 'error' ? 'red' : 'green'
    return <Text color={color ? tone : undefined} wrap="truncate-end">{fit(visible(view.message.text), columns)}</Text>
  }
  return <Text dimColor wrap="truncate-end">{fit('→/← j/k step  PgDn/PgUp ±10  g/G first/last  / search  n/N next  b break  t time  ? help  q quit', columns)}</Text>
}
