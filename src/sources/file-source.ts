import { constants, createReadStream, existsSync, openSync, statSync } from 'node:fs'
import { Socket } from 'node:net'
import { addAbortSignal } from 'node:stream'
import { readFile } from 'node:fs/promises'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeep } from '../events/json-depth.js'
import { exactPosition } from '../events/position.js'
import { normalizeStoredTime } from '../events/time.js'
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './ndjson-lines.js'
import { rankSimilar } from './similar.js'
import { EventTally } from './event-tally.js'
import type { EventSource, ReadOptions, SourceSummary } from './source.js'

/**
 * Checks one decoded JSON value against the Event shape and fills what fixtures may leave
 * out (position: the line number, schemaVersion: 1, meta: {}). `where` names file and line.
 */
export function toEvent(value: unknown, where: string, line: number): Event {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${where}: expected an event object`)
  const raw = value as Record<string, unknown>
  if (typeof raw.type !== 'string' || raw.type === '') throw new UserError(`${where}: expected a string "type"`)
  const stream = raw.stream ?? raw.streamId ?? raw.aggregateId
  const time = raw.time === undefined ? '' : normalizeStoredTime(raw.time)
  if (time === undefined) throw new UserError(`${where}: "time" ${JSON.stringify(raw.time)} is not a time (expected ISO-8601 or epoch ms)`)
  const event: Event = {
    position: typeof raw.position === 'number' || typeof raw.position === 'string' ? raw.position : line,
    stream: stream === undefined || stream === null ? '' : String(stream),
    type: raw.type,
    schemaVersion: typeof raw.schemaVersion === 'number' ? raw.schemaVersion : Number(raw.schemaVersion ?? 1) || 1,
    time,
    data: raw.data ?? null,
    meta: raw.meta !== null && typeof raw.meta === 'object' ? (raw.meta as Record<string, unknown>) : {},
  }
  if (typeof raw.version === 'number') event.version = raw.version
  if (raw.kafka !== undefined) event.kafka = raw.kafka as Event['kafka']
  return event
}

/** One NDJSON line's value; the error's message says what is wrong ("not valid JSON (...)"). */
export function parseEventLine(text: string): unknown {
  // The event object is one level; its data may nest MAX_JSON_DEPTH more.
  if (nestsDeeperThan(text, MAX_JSON_DEPTH + 1)) throw new Error(tooDeep('the line', MAX_JSON_DEPTH + 1))
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`)
  }
}

function inRange(event: Event, options: ReadOptions): boolean {
  if (options.stream !== undefined && event.stream !== options.stream) return false
  if (options.fromPosition !== undefined && exactPosition(event.position) < exactPosition(options.fromPosition)) return false
  if (options.untilPosition !== undefined && exactPosition(event.position) > exactPosition(options.untilPosition)) return false
  return true
}

/** SOURCE `-`: standard input, like jq and kcat. */
export const STDIN_SPEC = '-'

/**
 * A file argument that is not a regular file: `-`, a pipe (`<(...)`, `/dev/stdin`), a FIFO, a
 * character device or a socket. Such input is read as it comes, and only once.
 */
export function isStreamInput(file: string): boolean {
  if (file === STDIN_SPEC) return true
  const stat = statSync(file, { throwIfNoEntry: false })
  return stat !== undefined && !stat.isFile() && !stat.isDirectory()
}

/** For what reads SOURCE more than once (in another thread too): one line when it is a pipe. */
export function requireRegularFile(source: EventSource, what: string): void {
  if (source instanceof FileSource && source.stream) {
    throw new UserError(`${source.name}: ${what} reads the source more than once, and a pipe or device can be read only once; save it to a regular file first`)
  }
}

/** NDJSON (one event per line) or a JSON array of events: the fixtures format. */
export class FileSource implements EventSource {
  readonly kind = 'file' as const
  /** A pipe, device or standard input: read once, as it arrives. */
  readonly stream: boolean
  private consumed = false
  /** Stream ids seen in a read of a stream input, for "did you mean" after it is consumed. */
  private seenStreams?: Set<string>

  constructor(readonly file: string, readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    if (file !== STDIN_SPEC && !existsSync(file)) throw new UserError(`${file}: no such file`)
    if (file !== STDIN_SPEC && statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, expected an NDJSON or JSON file of events`)
    this.stream = isStreamInput(file)
    if (this.stream) this.seenStreams = new Set()
  }

  get name(): string {
    return this.file === STDIN_SPEC ? '<stdin>' : this.file
  }

  /** The bytes of the input, in chunks; a stream input only once. */
  chunks(signal?: AbortSignal): AsyncIterable<Buffer> {
    if (this.stream) {
      if (this.consumed) {
        throw new UserError(`${this.name}: a pipe or device can be read only once and this command reads its source again; save it to a regular file first`)
      }
      this.consumed = true
    }
    if (this.file === STDIN_SPEC || (this.stream && this.file === '/dev/stdin')) return signal === undefined ? process.stdin : addAbortSignal(signal, process.stdin)
    if (this.stream && statSync(this.file).isFIFO()) {
      // A pipe is read through the event loop, not a blocking read in libuv's thread pool: a
      // read left pending there (a pipe that sends nothing) would hold up exit, even after Ctrl-C.
      const socket = new Socket({ fd: openSync(this.file, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false })
      return signal === undefined ? socket : addAbortSignal(signal, socket)
    }
    return createReadStream(this.file, { highWaterMark: 1 << 20, signal })
  }

  /** The events of each chunk read (of the whole file, for a JSON array). */
  private async *events(options: ReadOptions): AsyncIterable<Event[]> {
    if (this.file.endsWith('.json')) {
      let parsed: unknown
      try {
        const text = await readFile(this.file, 'utf8')
        // Each element is an event inside the array: one level more than a line of NDJSON.
        if (nestsDeeperThan(text, MAX_JSON_DEPTH + 2)) throw new Error(tooDeep('an element', MAX_JSON_DEPTH + 1))
        parsed = JSON.parse(text)
      } catch (error) {
        throw new UserError(`${this.file}: not valid JSON (${(error as Error).message})`)
      }
      if (!Array.isArray(parsed)) throw new UserError(`${this.file}: expected a JSON array of events`)
      yield parsed.map((value, i) => toEvent(value, `${this.file}: element ${i}`, i + 1))
      return
    }
    const name = this.name
    const lines = new LineSplitter(name, this.maxLineBytes)
    const seen = this.seenStreams
    let ready: Event[] = []
    const take = (bytes: Buffer, start: number, end: number, line: number) => {
      const text = bytes.toString('utf8', start, end)
      if (text.trim() === '') return
      let parsed: unknown
      try {
        parsed = parseEventLine(text)
      } catch (error) {
        const message = `${name}:${line}: ${(error as Error).message}`
        if (options.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such lines with a warning`)
        options.onWarning?.(message)
        return
      }
      if (Array.isArray(parsed)) throw new UserError(`${name}:${line}: a JSON array, expected one event object per line (jq -c '.[]' turns an array into such lines)`)
      const event = toEvent(parsed, `${name}:${line}`, line)
      seen?.add(event.stream)
      ready.push(event)
    }
    const drain = function* () {
      if (ready.length === 0) return
      yield ready
      ready = []
    }
    try {
      for await (const chunk of this.chunks(options.signal)) {
        lines.push(chunk as Buffer, take)
        yield* drain()
      }
      lines.end(take)
    } catch (error) {
      if (options.signal?.aborted === true) return
      // The events before a bad line are read: hand them over before the error.
      yield* drain()
      throw error
    }
    yield* drain()
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<Event[]> {
    const size = options.batchSize ?? 2000
    let batch: Event[] = []
    try {
      for await (const events of this.events(options)) {
        for (const event of events) {
          if (!inRange(event, options)) continue
          batch.push(event)
          if (batch.length >= size) {
            yield batch
            batch = []
          }
        }
        // A pipe may be slow to fill a batch: what came is handed on at once.
        if (this.stream && batch.length > 0) {
          yield batch
          batch = []
        }
      }
    } catch (error) {
      // The events before a bad line are read: hand them over before the error.
      if (batch.length > 0) yield batch
      throw error
    }
    if (batch.length > 0) yield batch
  }

  async similarStreams(stream: string, limit = 5): Promise<string[]> {
    let streams = this.consumed ? this.seenStreams : undefined
    if (streams === undefined) {
      streams = new Set<string>()
      for await (const batch of this.batches({ withMeta: false })) for (const e of batch) streams.add(e.stream)
    }
    return rankSimilar(stream, streams, limit)
  }

  async summarize(): Promise<SourceSummary> {
    const tally = new EventTally()
    for await (const batch of this.batches()) for (const e of batch) tally.add(e)
    const { events, streams, firstPosition, lastPosition, firstTime, lastTime, types } = tally
    return { source: this.name, kind: 'file', events, streams, firstPosition, lastPosition, firstTime, lastTime, types, checkpoints: [] }
  }

  async close(): Promise<void> {}
}
