import { constants } from 'node:buffer'
import { UserError } from '../errors.js'

/** The longest line read by default: a line without end (`/dev/zero`) fails after this many bytes. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
/** The largest --max-line-bytes. A line becomes one string, and Node cannot make one much longer. */
export const MAX_LINE_BYTES_LIMIT = 512 * 1024 * 1024

const NEWLINE = 10
const CR = 13
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 }

/** --max-line-bytes: bytes, or with a unit (64MiB, 512M, 1g; binary multiples). */
export function parseMaxLineBytes(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_LINE_BYTES
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text)
  const unit = match === null ? undefined : UNITS[match[2].toLowerCase()]
  const bytes = match === null || unit === undefined ? NaN : Number(match[1]) * unit
  if (!(bytes >= 1 && bytes <= MAX_LINE_BYTES_LIMIT)) {
    throw new UserError(`--max-line-bytes "${text}": expected a size from 1 byte to 512MiB (about the longest string Node can hold), e.g. 256MiB`)
  }
  return Math.min(bytes, constants.MAX_STRING_LENGTH)
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/** The one-line error for a line past the cap, naming file and line. */
export function lineTooLong(where: string, line: number, maxLineBytes: number): UserError {
  return new UserError(`${where}:${line}: line ${line} is longer than ${formatBytes(maxLineBytes)} (no newline yet); --max-line-bytes raises the limit`)
}

/**
 * Splits bytes into lines at LF, CRLF or a lone CR (as Node's readline does), whatever the chunks.
 * The part of a line that spans chunks is kept as a list of pieces and joined once, when its end
 * arrives: a 400 MB line costs one copy, not one per chunk. A line longer than `maxLineBytes` is
 * an error as soon as it is.
 */
export class LineSplitter {
  private pieces: Buffer[] = []
  private pieceBytes = 0
  /** The chunk before ended with CR: an LF starting this one ends no line of its own. */
  private afterCR = false
  /** The number of the line being read (1-based). */
  line = 1

  constructor(private readonly where: string, private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {}

  /** Calls `take` with each whole line in `chunk` (without its line end); keeps the rest. `chunk` may be reused after. */
  push(chunk: Buffer, take: (bytes: Buffer, start: number, end: number, line: number) => void): void {
    let start = 0
    if (this.afterCR && chunk.length > 0 && chunk[0] === NEWLINE) start = 1
    this.afterCR = false
    // Each terminator's next position is searched for once it is passed, not once per line.
    let nl = chunk.indexOf(NEWLINE, start)
    let cr = chunk.indexOf(CR, start)
    for (;;) {
      if (nl !== -1 && nl < start) nl = chunk.indexOf(NEWLINE, start)
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CR, start)
      const end = cr === -1 ? nl : nl === -1 ? cr : Math.min(cr, nl)
      if (end === -1) break
      if (this.pieces.length > 0) {
        this.check(this.pieceBytes + end - start)
        this.pieces.push(chunk.subarray(start, end))
        const joined = Buffer.concat(this.pieces, this.pieceBytes + end - start)
        this.pieces = []
        this.pieceBytes = 0
        take(joined, 0, joined.length, this.line++)
      } else {
        this.check(end - start)
        take(chunk, start, end, this.line++)
      }
      start = end + 1
      if (end === cr) {
        if (start === chunk.length) this.afterCR = true
        else if (chunk[start] === NEWLINE) start++
      }
    }
    if (start < chunk.length) {
      this.check(this.pieceBytes + chunk.length - start)
      this.pieces.push(Buffer.from(chunk.subarray(start)))
      this.pieceBytes += chunk.length - start
    }
  }

  /** The last line, when the input does not end with a newline. */
  end(take: (bytes: Buffer, start: number, end: number, line: number) => void): void {
    if (this.pieces.length === 0) return
    const joined = Buffer.concat(this.pieces, this.pieceBytes)
    this.pieces = []
    this.pieceBytes = 0
    take(joined, 0, joined.length, this.line++)
  }

  /** Forgets a partial line and starts counting again (a followed file was truncated). */
  reset(): void {
    this.afterCR = false
    this.pieces = []
    this.pieceBytes = 0
    this.line = 1
  }

  private check(bytes: number): void {
    if (bytes > this.maxLineBytes) throw lineTooLong(this.where, this.line, this.maxLineBytes)
  }
}
