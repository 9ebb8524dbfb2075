import { open, type FileHandle } from 'node:fs/promises'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { exactPosition, type ExactPosition } from '../events/position.js'
import { FileSource, parseEventLine, toEvent } from '../sources/file-source.js'
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

/**
 * Events of an NDJSON file in a tail range; with follow, lines appended later (like `tail -f`:
 * a line is read once its newline is written; a truncated file is read again from the start).
 * Positions are line numbers unless events carry their own.
 */
export async function* fileTail(file: string, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  new FileSource(file) // the same "no such file" / "is a directory" errors as other commands
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
    let pending: Buffer = Buffer.alloc(0)
    let offset = 0
    let line = 0
    let eventLines = 0
    let batch: Event[] = []

    const takeLine = (bytes: Buffer, start: number, end: number): Event | undefined => {
      line++
      const text = bytes.toString('utf8', start, end)
      if (text.trim() === '') return undefined
      eventLines++
      if (eventLines <= skip || eventLines > stopAfter) return undefined
      let parsed: unknown
      try {
        parsed = parseEventLine(text)
      } catch (error) {
        const message = `${file}:${line}: ${(error as Error).message}`
        if (options.read.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such lines with a warning`)
        options.onWarning(message)
        return undefined
      }
      const event = toEvent(parsed, `${file}:${line}`, line)
      return inPositionRange(event, from, until) ? event : undefined
    }

    // Lines end at LF, CRLF or a lone CR (as readline splits them for the other commands).
    const consume = (bytes: Buffer, final: boolean) => {
      let start = 0
      let nl = bytes.indexOf(NEWLINE)
      let cr = bytes.indexOf(CR)
      for (;;) {
        if (nl !== -1 && nl < start) nl = bytes.indexOf(NEWLINE, start)
        if (cr !== -1 && cr < start) cr = bytes.indexOf(CR, start)
        const end = cr === -1 ? nl : nl === -1 ? cr : Math.min(cr, nl)
        if (end === -1) break
        let next = end + 1
        if (end === cr) {
          if (next === bytes.length && !final) break // an LF may follow in the next read
          if (bytes[next] === NEWLINE) next++
        }
        const event = takeLine(bytes, start, end)
        if (event !== undefined) batch.push(event)
        start = next
      }
      if (final && start < bytes.length) {
        const event = takeLine(bytes, start, bytes.length)
        if (event !== undefined) batch.push(event)
        start = bytes.length
      }
      return start
    }

    try {
      for (;;) {
        while (offset < limitBytes && eventLines < stopAfter && !options.signal.aborted) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, limitBytes - offset), offset)
          if (bytesRead === 0) break
          offset += bytesRead
          const bytes = pending.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([pending, buffer.subarray(0, bytesRead)])
          const used = consume(bytes, false)
          pending = Buffer.from(bytes.subarray(used))
          if (batch.length >= BATCH) {
            yield batch
            batch = []
          }
        }
        if (!range.follow) {
          consume(pending, true)
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
          line = 0
          eventLines = 0
          skip = 0
          pending = Buffer.alloc(0)
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
