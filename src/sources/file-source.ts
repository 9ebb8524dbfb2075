import { createReadStream, existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeep } from '../events/json-depth.js'
import { exactPosition } from '../events/position.js'
import { normalizeStoredTime } from '../events/time.js'
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

/** NDJSON (one event per line) or a JSON array of events: the fixtures format. */
export class FileSource implements EventSource {
  readonly kind = 'file' as const

  constructor(readonly file: string) {
    if (!existsSync(file)) throw new UserError(`${file}: no such file`)
    if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, expected an NDJSON or JSON file of events`)
  }

  get name(): string {
    return this.file
  }

  private async *events(options: ReadOptions): AsyncIterable<Event> {
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
      for (let i = 0; i < parsed.length; i++) yield toEvent(parsed[i], `${this.file}: element ${i}`, i + 1)
      return
    }
    const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity })
    let line = 0
    for await (const text of lines) {
      line++
      if (text.trim() === '') continue
      let parsed: unknown
      try {
        parsed = parseEventLine(text)
      } catch (error) {
        const message = `${this.file}:${line}: ${(error as Error).message}`
        if (options.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such lines with a warning`)
        options.onWarning?.(message)
        continue
      }
      yield toEvent(parsed, `${this.file}:${line}`, line)
    }
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<Event[]> {
    const size = options.batchSize ?? 2000
    let batch: Event[] = []
    try {
      for await (const event of this.events(options)) {
        if (!inRange(event, options)) continue
        batch.push(event)
        if (batch.length >= size) {
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
    const streams = new Set<string>()
    for await (const batch of this.batches({ withMeta: false })) for (const e of batch) streams.add(e.stream)
    return rankSimilar(stream, streams, limit)
  }

  async summarize(): Promise<SourceSummary> {
    const tally = new EventTally()
    for await (const batch of this.batches()) for (const e of batch) tally.add(e)
    const { events, streams, firstPosition, lastPosition, firstTime, lastTime, types } = tally
    return { source: this.file, kind: 'file', events, streams, firstPosition, lastPosition, firstTime, lastTime, types, checkpoints: [] }
  }

  async close(): Promise<void> {}
}
