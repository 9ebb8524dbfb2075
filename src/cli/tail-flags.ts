import { Flags } from '@oclif/core'
import { UserError } from '../errors.js'
import { parseDuration } from '../events/time.js'
import { chalkFor } from '../output/colors.js'
import { PipeReaders } from '../output/pipe-reader.js'
import { Spool } from '../output/spool.js'
import { OutputWriter } from '../output/writer.js'
import type { OutputKind } from '../output/terminal.js'
import { createEventPrinter, EVENT_FORMATS, type EventFormat } from '../output/event-format.js'
import { isStreamInput } from '../sources/file-source.js'
import { resolveSourceSpec, sourceKind } from '../sources/open.js'
import { redactUri } from '../sources/redact-uri.js'
import type { RewindConfig } from '../config.js'
import { resolveRange } from '../tail/range.js'
import { tailFilter } from '../tail/tail.js'
import { fileFlags, kafkaFlags, mappingFlags, repeatable, skipInvalidFlag } from './flags.js'

/** The range, filter and output flags that `tail` and `upcast run` share. */
export const tailFlags = {
  from: Flags.string({ description: 'Start here: beginning, end, -N, a position, offset:N or a time (default: beginning; -10 with --follow)' }),
  until: Flags.string({ description: 'Stop here (inclusive): end, -N, a position, offset:N or a time (default: the end at start)', exclusive: ['follow'] }),
  follow: Flags.boolean({ char: 'f', description: 'Keep printing new events after the end (Ctrl-C stops)' }),
  interval: Flags.string({ description: 'With --follow: how often to poll a SQLite store or file (ms or a duration)', default: '250' }),
  type: Flags.string({ description: 'Only events of this type (glob; repeatable)', ...repeatable }),
  stream: Flags.string({ description: 'Only these streams (glob; repeatable)', ...repeatable }),
  where: Flags.string({ description: 'Only events where this expression holds, e.g. \'data.amount > 1000\'' }),
  limit: Flags.integer({ char: 'n', description: 'Stop after printing this many events', min: 0 }),
  format: Flags.string({ description: 'pretty (default on a terminal), ndjson (default when piped), json, template', options: [...EVENT_FORMATS] }),
  template: Flags.string({ description: 'Print each event with this template, e.g. \'{time} {type} {data.amount}\' (implies --format template)' }),
  partition: Flags.integer({ description: 'Kafka: only this partition (repeatable)', ...repeatable, min: 0 }),
  'skip-invalid': skipInvalidFlag,
  ...kafkaFlags,
  ...mappingFlags,
  ...fileFlags,
}

/** --interval: milliseconds, or a duration such as "1s". */
export function parseInterval(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : parseDuration(text)
  if (value === undefined || value < 10) throw new UserError(`--interval "${text}": expected milliseconds (>= 10) or a duration such as "500ms" or "1s"`)
  return value
}

/** What kind of source SOURCE is, refusing Kafka-only flags on the others. */
export function tailSourceKind(spec: string, config: RewindConfig, kafkaOnly: Record<string, unknown>): 'sqlite' | 'file' | 'kafka' {
  const kind = sourceKind(resolveSourceSpec(spec, config).uri) ?? 'sqlite'
  const used = Object.entries(kafkaOnly).find(([, value]) => value !== undefined)
  if (kind !== 'kafka' && used !== undefined) throw new UserError(`--${used[0]} is for Kafka topics; ${redactUri(spec)} is a ${kind === 'file' ? 'file' : 'SQLite store'}`)
  return kind
}

/** pretty on a terminal, ndjson when piped, json with --json, template with --template. */
export function tailPrinter(flags: { format?: string; template?: string }, json: boolean) {
  let format: EventFormat = (flags.format as EventFormat | undefined) ?? (flags.template !== undefined ? 'template' : process.stdout.isTTY ? 'pretty' : 'ndjson')
  if (json) format = 'json'
  if (flags.template !== undefined && format !== 'template') throw new UserError(`--template prints with a template; it cannot be combined with --format ${format}`)
  return createEventPrinter(format, { chalk: chalkFor(), template: flags.template, columns: process.stdout.isTTY ? process.stdout.columns : undefined })
}

/**
 * Ctrl-C (and SIGTERM) stop reading instead of killing the process: what was read is flushed, a
 * JSON array is closed, connections are closed. A second Ctrl-C exits at once.
 */
export function stopOnSignals(): { signal: AbortSignal; stoppedBy: () => NodeJS.Signals | undefined; stop: () => void } {
  const controller = new AbortController()
  let stoppedBy: NodeJS.Signals | undefined
  const stop = (signal: NodeJS.Signals) => {
    if (stoppedBy !== undefined) process.exit(130)
    stoppedBy = signal
    controller.abort()
  }
  process.removeAllListeners('SIGINT')
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return { signal: controller.signal, stoppedBy: () => stoppedBy, stop: () => controller.abort() }
}

/**
 * --follow into a pipe: stop (exit 0, as on EPIPE) within a second of the reader going away
 * (`| head -1`), even while no event comes to write. Returns what ends the watch.
 */
export function stopWhenReaderGoes(follow: boolean, stop: () => void): () => void {
  if (!follow || process.stdout.isTTY) return () => undefined
  const readers = PipeReaders.ofStdout()
  if (readers === undefined) return () => undefined
  const timer = setInterval(() => {
    if (!readers.closed()) return
    clearInterval(timer)
    stop()
  }, 500)
  timer.unref()
  return () => clearInterval(timer)
}

export interface TailPlanFlags {
  from?: string
  until?: string
  follow?: boolean
  interval: string
  type?: string[]
  stream?: string[]
  where?: string
  format?: string
  template?: string
}

/** SOURCE is `-`, a pipe or a device: read once, as it comes. */
export function isStreamSource(spec: string, config: RewindConfig): boolean {
  return isStreamInput(resolveSourceSpec(spec, config).uri.replace(/^file:/, ''))
}

/**
 * Everything the tail flags decide before a source is opened: range, filter, poll interval, printer.
 * A pipe has nothing "already there": --follow on one starts at its beginning.
 */
export function tailPlan(flags: TailPlanFlags, kind: 'sqlite' | 'file' | 'kafka', json: boolean, stream = false) {
  const range = resolveRange(stream && flags.follow === true && flags.from === undefined ? { ...flags, from: 'beginning' } : flags, kind)
  return {
    range,
    filter: tailFilter({ types: flags.type, streams: flags.stream, where: flags.where, range }),
    intervalMs: parseInterval(flags.interval),
    printer: tailPrinter(flags, json),
  }
}

/**
 * Where tail output goes. `--json` is held until the array is whole (then printed) so that a bad
 * row prints only {"error": ...}; with --follow there is no whole, so it streams, and a bad row
 * closes the array (stdout still parses) with the error on stderr and exit 2.
 */
export function tailOutput(kind: OutputKind, json: boolean, follow: boolean): { out: OutputWriter; done: () => Promise<void>; drop: () => void } {
  const spool = json && !follow ? new Spool() : undefined
  return {
    out: new OutputWriter(kind, spool ?? process.stdout, { tty: process.stdout.isTTY === true }),
    done: async () => spool?.copyTo(process.stdout),
    drop: () => spool?.discard(),
  }
}
