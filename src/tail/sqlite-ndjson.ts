import type { CpuInfo } from 'node:os'
import { UserError } from '../errors.js'
import { ByteSink } from '../output/byte-sink.js'
import type { OutputWriter } from '../output/writer.js'
import type { ExactPosition } from '../events/position.js'
import type { SqliteSource, SqliteSourceSpec } from '../sources/sqlite/sqlite-source.js'
import { WorkerPool } from '../threads/ordered-pool.js'
import { threadsForPositions } from '../threads/thread-count.js'
import type { TailRange } from './range.js'
import { sqliteTailBounds } from './sqlite-tail.js'

/** Positions per piece a thread prints: a few MiB of text, so few pieces are in flight at once. */
const PIECE_POSITIONS = 16_384
const MAX_PIECES = 4096
/** Pieces queued per thread: enough that none waits for the next. */
const QUEUED = 2

export interface SqliteNdjsonOptions {
  range: TailRange
  out: OutputWriter
  signal: AbortSignal
  skipInvalid?: boolean
  onWarning: (message: string) => void
  /** os.cpus() when the command started: threads are added only for idle cores (see threadsFor). */
  cpusAtStart: CpuInfo[]
}

export interface PieceRequest {
  from: number
  /** Exclusive, except for the last piece, which ends at `until` inclusive. */
  below?: number
  until: number
}

export interface PieceResult {
  bytes: Uint8Array
  count: number
  warnings: string[]
  /** A bad row: the bytes are the lines before it; printing stops there with this error. */
  error?: { message: string; exitCode: number }
}

export interface PieceWorkerInput {
  store: SqliteSourceSpec
  skipInvalid?: boolean
}

/**
 * `tail --format ndjson` of a SQLite range with no filter: lines made from the stored JSON text
 * (SqliteSource.ndjsonPages). A big range is cut into pieces by position, printed by worker
 * threads, and written in order, so the output is what one thread prints. Returns the count.
 */
export async function printSqliteNdjson(source: SqliteSource, options: SqliteNdjsonOptions): Promise<number> {
  const { from: start, until } = sqliteTailBounds(source, options.range)
  const from = start ?? source.firstPosition()
  if (until === null || from === null || from > until) return 0
  const threads = threadsForPositions(from, until, options.cpusAtStart)
  // Pieces are cut by arithmetic on numbers: positions beyond 2^53 are printed in one thread.
  if (threads === 1 || typeof from === 'bigint' || typeof until === 'bigint') return printHere(source, { from, until }, options)

  const input: PieceWorkerInput = { store: source.spec, skipInvalid: options.skipInvalid }
  const pool = new WorkerPool<PieceRequest, PieceResult>(new URL('./sqlite-ndjson-worker.js', import.meta.url), input, threads, `tail ${source.file}`, { maxYoungGenerationSizeMb: 16 })
  const pending: Array<Promise<PieceResult>> = []
  let printed = 0
  const writeNext = async () => {
    const piece = await pending.shift()!
    for (const warning of piece.warnings) options.onWarning(warning)
    await options.out.writeBytes(piece.bytes)
    printed += piece.count
    if (piece.error !== undefined) throw new UserError(piece.error.message, { exitCode: piece.error.exitCode })
  }
  try {
    for (const piece of pieces(from, until)) {
      if (options.signal.aborted) break
      pending.push(pool.submit(piece))
      while (pending.length >= threads * QUEUED) await writeNext()
    }
    while (pending.length > 0 && !options.signal.aborted) await writeNext()
  } finally {
    await pool.close()
  }
  await options.out.flush()
  return printed
}

/** [from, until] cut into pieces of about PIECE_POSITIONS positions, half open but for the last. */
export function pieces(from: number, until: number): PieceRequest[] {
  const count = Math.min(MAX_PIECES, Math.max(1, Math.ceil((until - from + 1) / PIECE_POSITIONS)))
  const width = Math.ceil((until - from + 1) / count)
  const out: PieceRequest[] = []
  for (let start = from; start <= until; start += width) {
    const below = start + width
    out.push(below > until ? { from: start, until } : { from: start, below, until })
  }
  return out
}

/** One piece's lines, as UTF-8 bytes of their own (transferred to the writing thread, not copied). */
export function printPiece(source: SqliteSource, piece: PieceRequest, skipInvalid: boolean | undefined): PieceResult {
  const warnings: string[] = []
  // One upper bound only: given two, SQLite may stop at the looser one and scan past the piece.
  const upper = piece.below === undefined ? { untilPosition: piece.until } : { belowPosition: piece.below }
  const read = { fromPosition: piece.from, ...upper, skipInvalid, onWarning: (m: string) => warnings.push(m) }
  // Each page is encoded as soon as it is made, so its strings die young (cheap to collect).
  const out = new ByteSink(pieceBytes)
  let count = 0
  let error: PieceResult['error']
  for (const page of source.ndjsonPages(read)) {
    count += page.count
    if (page.error !== undefined) error = { message: page.error.message, exitCode: page.error instanceof UserError ? page.error.exitCode : 2 }
    out.add(page.text)
  }
  const bytes = out.bytes()
  pieceBytes = Math.max(pieceBytes, bytes.length + (bytes.length >> 3))
  return { bytes, count, warnings, error }
}

/** The size to start a piece's buffer at: a little over the biggest piece yet. */
let pieceBytes = 1 << 20

async function printHere(source: SqliteSource, range: { from: ExactPosition; until: ExactPosition }, options: SqliteNdjsonOptions): Promise<number> {
  let printed = 0
  const read = { fromPosition: range.from, untilPosition: range.until, skipInvalid: options.skipInvalid, onWarning: options.onWarning }
  for (const page of source.ndjsonPages(read)) {
    if (options.signal.aborted) break
    await options.out.write(page.text)
    printed += page.count
    if (page.error !== undefined) {
      await options.out.flush()
      throw page.error
    }
  }
  await options.out.flush()
  return printed
}
