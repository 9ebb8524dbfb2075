import type { ChalkInstance } from 'chalk'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { typeColor } from './colors.js'
import type { OutputKind } from './terminal.js'
import { terminalJson, visible } from '../events/terminal-text.js'

/** An event type with its schema version, as `tail --format pretty` and `inspect` show it: `MoneyDeposited v3` (v1 is left out). */
export const typeWithSchema = (type: string, schemaVersion: number): string => (schemaVersion === 1 ? visible(type) : `${visible(type)} v${schemaVersion}`)

export const EVENT_FORMATS = ['pretty', 'ndjson', 'json', 'template'] as const
export type EventFormat = (typeof EVENT_FORMATS)[number]

/** Turns events into text as they stream: begin, one chunk per event, end. */
export interface EventPrinter {
  /** Which format this is (ndjson: each line depends on its event alone, so any thread can make it). */
  readonly format?: EventFormat
  begin(): string
  event(event: Event): string
  end(): string
  /** Sees a batch before its events are printed (pretty sizes its columns from it). */
  measure?(events: Event[]): void
}

/** Whether a printer writes JSON (kept as it is for a pipe) or text (always guarded). */
export const outputKindOf = (printer: EventPrinter): OutputKind => (printer.format === 'ndjson' || printer.format === 'json' ? 'json' : 'text')

export const TEMPLATE_TOKENS = [
  '{time}', '{type}', '{stream}', '{version}', '{position}', '{schemaVersion}', '{data}', '{data.PATH}', '{meta}', '{meta.PATH}',
  '{topic}', '{partition}', '{offset}', '{key}', '{headers.NAME}',
]

export interface PrinterOptions {
  chalk: ChalkInstance
  template?: string
  /** Terminal width for pretty lines; lines are cut to fit when set. */
  columns?: number
}

export function createEventPrinter(format: EventFormat, options: PrinterOptions): EventPrinter {
  switch (format) {
    case 'ndjson':
      return { format, begin: () => '', event: (e) => `${JSON.stringify(e)}\n`, end: () => '' }
    case 'json': {
      let first = true
      return {
        format,
        begin: () => '[',
        event: (e) => {
          const text = `${first ? '\n' : ',\n'}${JSON.stringify(e)}`
          first = false
          return text
        },
        end: () => (first ? ']\n' : '\n]\n'),
      }
    }
    case 'template': {
      if (options.template === undefined) throw new UserError('--format template needs --template, e.g. --template \'{time} {type} {data.amount}\'')
      const render = compileTemplate(options.template)
      return { format, begin: () => '', event: (e) => `${render(e)}\n`, end: () => '' }
    }
    default:
      return { format: 'pretty', ...prettyPrinter(options.chalk, options.columns) }
  }
}

/**
 * A value as template text: strings as they are, anything else as compact JSON, missing as
 * nothing. Store text shows its control characters escaped (`\e`, `\n`), so one event stays one
 * line of the user's template; `--format ndjson | jq -r` gives the raw bytes.
 */
function templateText(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return visible(value)
  return terminalJson(JSON.stringify(value) ?? '')
}

function readPath(value: unknown, path: string[]): unknown {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    if (!Object.hasOwn(current, key)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

type Piece = string | ((e: Event) => unknown)

function tokenReader(token: string, template: string): (e: Event) => unknown {
  const [root, ...path] = token.split('.')
  if (path.some((p) => p === '')) throw badToken(token, template)
  if (path.length === 0) {
    switch (root) {
      case 'time': return (e) => e.time
      case 'type': return (e) => e.type
      case 'stream': return (e) => e.stream
      case 'version': return (e) => e.version
      case 'position': return (e) => e.position
      case 'schemaVersion': return (e) => e.schemaVersion
      case 'data': return (e) => e.data
      case 'meta': return (e) => e.meta
      case 'topic': return (e) => e.kafka?.topic
      case 'partition': return (e) => e.kafka?.partition
      case 'offset': return (e) => e.kafka?.offset
      case 'key': return (e) => e.kafka?.key
      case 'headers': return (e) => e.kafka?.headers
    }
    throw badToken(token, template)
  }
  switch (root) {
    case 'data': return (e) => readPath(e.data, path)
    case 'meta': return (e) => readPath(e.meta, path)
    // Header names may contain dots (ce.type is rare, but legal).
    case 'headers': {
      const name = path.join('.')
      return (e) => e.kafka?.headers?.[name]
    }
  }
  throw badToken(token, template)
}

function badToken(token: string, template: string): UserError {
  return new UserError(`--template "${template}": unknown token {${token}}; the tokens are ${TEMPLATE_TOKENS.join(' ')}, plus \\t and \\n ({{ and }} print braces)`)
}

/**
 * `--template '{time} {type} {data.amount}'`: named tokens, `\t` and `\n` escapes, `{{`/`}}` for
 * literal braces. Compiled once into a list of pieces.
 */
export function compileTemplate(template: string): (e: Event) => string {
  const pieces: Piece[] = []
  let text = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]
    if (c === '\\' && i + 1 < template.length) {
      const next = template[i + 1]
      if (next === 't' || next === 'n' || next === '\\') {
        text += next === 't' ? '\t' : next === 'n' ? '\n' : '\\'
        i++
        continue
      }
    }
    if (c === '{' && template[i + 1] === '{') {
      text += '{'
      i++
      continue
    }
    if (c === '}' && template[i + 1] === '}') {
      text += '}'
      i++
      continue
    }
    if (c === '{') {
      const close = template.indexOf('}', i)
      if (close === -1) throw new UserError(`--template "${template}": "{" at column ${i + 1} is not closed; write {{ for a literal brace`)
      if (text !== '') pieces.push(text)
      text = ''
      pieces.push(tokenReader(template.slice(i + 1, close).trim(), template))
      i = close
      continue
    }
    if (c === '}') throw new UserError(`--template "${template}": "}" at column ${i + 1} closes nothing; write }} for a literal brace`)
    text += c
  }
  if (text !== '') pieces.push(text)
  return (e) => {
    let out = ''
    for (const piece of pieces) out += typeof piece === 'string' ? piece : templateText(piece(e))
    return out
  }
}

/**
 * One aligned line per event: time, position, type (coloured, the same colour every run),
 * stream and version, then the data as compact JSON. Column widths only grow, so a stream of
 * lines stays aligned without reading ahead.
 */
function prettyPrinter(chalk: ChalkInstance, columns: number | undefined): EventPrinter {
  let positionWidth = 4
  let typeWidth = 12
  let streamWidth = 8
  const colors = new Map<string, (text: string) => string>()
  const colorOf = (type: string) => {
    let color = colors.get(type)
    if (color === undefined) {
      color = typeColor(chalk, type)
      colors.set(type, color)
    }
    return color
  }
  // Store text is escaped before it is measured, so columns align on what the terminal shows.
  const typeText = (e: Event) => typeWithSchema(e.type, e.schemaVersion)
  const streamText = (e: Event) => (e.version === undefined ? visible(e.stream) : `${visible(e.stream)}@${e.version}`)
  const grow = (position: string, type: string, stream: string) => {
    positionWidth = Math.max(positionWidth, position.length)
    typeWidth = Math.min(40, Math.max(typeWidth, type.length))
    streamWidth = Math.min(40, Math.max(streamWidth, stream.length))
  }
  return {
    begin: () => '',
    end: () => '',
    measure: (events) => {
      for (const e of events) grow(visible(String(e.position)), typeText(e), streamText(e))
    },
    event: (e) => {
      const position = visible(String(e.position))
      const type = typeText(e)
      const stream = streamText(e)
      const time = visible(e.time) || '-'.padEnd(24)
      grow(position, type, stream)
      const head = `${time}  ${position.padStart(positionWidth)}  ${type.padEnd(typeWidth)}  ${stream.padEnd(streamWidth)}  `
      let data = terminalJson(JSON.stringify(e.data) ?? 'null')
      if (columns !== undefined && columns > 0) {
        const room = Math.max(10, columns - head.length)
        if (data.length > room) data = `${data.slice(0, room - 1)}…`
      }
      const colored =
        `${chalk.dim(time)}  ${chalk.dim(position.padStart(positionWidth))}  ` +
        `${colorOf(e.type)(type.padEnd(typeWidth))}  ${chalk.bold(stream.padEnd(streamWidth))}  ${data}`
      return `${colored}\n`
    },
  }
}
