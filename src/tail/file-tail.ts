import { open, type FileHandle } from 'node:fs/promises'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { exactPosition, type ExactPosition } from '../events/position.js'
import { FileSource, parseEventLine, toEvent } from '../sources/file-source.js'
import { LineSplitter } from '../sources/ndjson-lines.js'
import { sleep, type TailReadOptions } from './options.js'
import type { TailRange } from './range.js'

const CHUNK = 1 << 20
const BATCH = 2000
const NEWLINE = 10
const CR = 13

/**
 * Counts the event lines (non-blank) in the first `size` bytes, without parsing them. Lines end at
 * LF, CRLF or a lone CR, as Node's readline (and so every other command) reads them.
 */
async function countLines(handle: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK)
  let offset = 0
  let lines = 0
  let blank = true
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - offset), offset)
    if (bytesRead === 0) break
    for (let i = 0; i < bytesRead; i++) {
      const c = buffer[i]
      // CRLF ends a line at CR; the LF after it ends a blank one, which does not count.
      if (c === NEWLINE || c === CR) {
        if (!blank) lines++
        blank = true
      } else if (c !== 32 && c !== 9) blank = false
    }
    offset += bytesRead
  }
  return blank ? lines : lines + 1
}

function inPositionRange(event: Event, from: ExactPosition | undefined, until: ExactPosition | undefined): boolean {
  if (from === undefined && until === undefined) return true
  const position = exactPosition(event.position)
  return (from === undefined || position >= from) && (until === undefined || position <= until)
}

/** A JSON array file: read whole (as FileSource does), then cut to the range. */
async function* jsonArrayTail(file: string, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  if (range.follow) throw new UserError(`${file}: --follow needs an NDJSON file (one event per line); a JSON array cannot grow at the end`)
  const events: Event[] = []
  for await (const batch of new FileSource(file).batches(options.read)) events.push(...batch)
  let start = 0
  let stop = events.length
  if (range.from.kind === 'end') start = events.length
  if (range.from.kind === 'last') start = Math.max(0, events.length - range.from.count)
  if (range.until?.kind === 'last') stop = Math.max(0, events.length - range.until.count + 1)
  const from = range.from.kind === 'position' ? range.from.position : undefined
  const until = range.until?.kind === 'position' ? range.until.position : undefined
  const selected = events.slice(start, stop).filter((e) => inPositionRange(e, from, until))
  for (let i = 0; i < selected.length; i += BATCH) yield selected.slice(i, i + BATCH)
}

/** The last `size` items pushed, in order; O(1) per item (no Array.shift over a long list). */
class LastItems<T> {
  private items: T[] = []
  private start = 0

  constructor(private readonly size: number) {}

  /** Adds one; returns the item that fell out, if one did. */
  push(item: T): T | undefined {
    this.items.push(item)
    if (this.items.length - this.start <= this.size) return undefined
    const dropped = this.items[this.start++]
    if (this.start > 4096 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start)
      this.start = 0
    }
    return dropped
  }

  all(): T[] {
    return this.items.slice(this.start)
  }
}

/**
 * A pipe, device or standard input in a tail range: read once, to its end (--follow changes
 * nothing: a pipe ends when its writer closes it). -N keeps the last N events until then;
 * --until -N holds back N-1 events, which the end then drops.
 */
async function* streamTail(source: FileSource, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  if (range.from.kind === 'end') return
  const from = range.from.kind === 'position' ? range.from.position : undefined
  const until = range.until?.kind === 'position' ? range.until.position : undefined
  const last = range.from.kind === 'last' ? new LastItems<Event>(range.from.count) : undefined
  const dropAtEnd = range.until?.kind === 'last' ? range.until.count - 1 : 0
  // Without -N the events held back stream out as later ones come; with it, the end drops them.
  const held = range.until?.kind === 'last' && last === undefined ? new LastItems<Event>(dropAtEnd) : undefined
  const { signal } = options
  // A pipe that sends nothing keeps a read pending: Ctrl-C must not wait for it.
  const stopped = new Promise<undefined>((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })))
  const reads = source.batches({ ...options.read, batchSize: BATCH, signal })[Symbol.asyncIterator]()
  for (;;) {
    const read = await Promise.race([reads.next(), stopped])
    if (read === undefined || read.done === true) break
    const out: Event[] = []
    for (const event of read.value) {
      if (!inPositionRange(event, from, until)) continue
      const ready = held === undefined ? event : held.push(event)
      if (ready === undefined) continue
      if (last === undefined) out.push(ready)
      else last.push(ready)
    }
    if (out.length > 0) yield out
  }
  const kept = last?.all() ?? []
  if (kept.length > dropAtEnd) yield kept.slice(0, kept.length - dropAtEnd)
}

/**
 * Events of an NDJSON file in a tail range; with follow, lines appended later (like `tail -f`:
 * a line is read once its newline is written; a truncated file is read again from the start).
 * Positions are line numbers unless events carry their own.
 */
export async function* fileTail(source: FileSource, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  const file = source.file
  if (source.stream) {
    yield* streamTail(source, range, options)
    return
  }
  if (file.endsWith('.json')) {
    yield* jsonArrayTail(file, range, options)
    return
  }
  const handle = await open(file, 'r')
  try {
    const snapshot = (await handle.stat()).size
    let skip = 0 // event lines to pass over without parsing
    let stopAfter = Infinity // event lines to read at most
    if (range.from.kind === 'last' || range.until?.kind === 'last') {
      const total = await countLines(handle, snapshot)
      if (range.from.kind === 'last') skip = Math.max(0, total - range.from.count)
      if (range.until?.kind === 'last') stopAfter = Math.max(0, total - range.until.count + 1)
    }
    if (range.from.kind === 'end') skip = await countLines(handle, snapshot)
    const from = range.from.kind === 'position' ? range.from.position : undefined
    const until = range.until?.kind === 'position' ? range.until.position : undefined
    const limitBytes = range.follow ? Infinity : snapshot

    const buffer = Buffer.allocUnsafe(CHUNK)
    const lines = new LineSplitter(file, source.maxLineBytes)
    let offset = 0
    let eventLines = 0
    let batch: Event[] = []

    const takeLine = (bytes: Buffer, start: number, end: number, line: number): void => {
      const text = bytes.toString('utf8', start, end)
      if (text.trim() === '') return
      eventLines++
      if (eventLines <= skip || eventLines > stopAfter) return
      let parsed: unknown
      try {
        parsed = parseEventLine(text)
      } catch (error) {
        const message = `${file}:${line}: ${(error as Error).message}`
        if (options.read.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such lines with a warning`)
        options.onWarning(message)
        return
      }
      const event = toEvent(parsed, `${file}:${line}`, line)
      if (inPositionRange(event, from, until)) batch.push(event)
    }

    try {
      for (;;) {
        while (offset < limitBytes && eventLines < stopAfter && !options.signal.aborted) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, limitBytes - offset), offset)
          if (bytesRead === 0) break
          offset += bytesRead
          lines.push(buffer.subarray(0, bytesRead), takeLine)
          if (batch.length >= BATCH) {
            yield batch
            batch = []
          }
        }
        if (!range.follow) {
          lines.end(takeLine)
          if (batch.length > 0) yield batch
          return
        }
        if (batch.length > 0) {
          yield batch
          batch = []
        }
        if (options.signal.aborted) return
        await sleep(options.intervalMs, options.signal)
        if (options.signal.aborted) return
        const size = (await handle.stat()).size
        if (size < offset) {
          options.onWarning(`${file} was truncated; reading it again from the start`)
          offset = 0
          eventLines = 0
          skip = 0
          lines.reset()
        }
      }
    } catch (error) {
      // A bad line ends the read: the events before it go out first.
      if (batch.length > 0) yield batch
      throw error
    }
  } finally {
    await handle.close()
  }
}
