import type { Event } from '../events/event.js'

export interface ReadOptions {
  /** One exact stream id; sources push this down to an index. */
  stream?: string
  /** Streams with from <= id < to: how replay splits work across worker threads. */
  streamRange?: { from?: string; to?: string }
  /** Inclusive position bounds, in the source's own order. */
  fromPosition?: number | string | bigint
  untilPosition?: number | string | bigint
  /** Exclusive upper bound: how tail splits a range between threads without gaps. */
  belowPosition?: number | bigint
  /** Parse metadata (eventId, correlationId, ...). Off saves time on replays. Default true. */
  withMeta?: boolean
  /** Turn malformed rows into counted warnings instead of failing. */
  skipInvalid?: boolean
  onWarning?: (message: string) => void
  /** Odd values read as they are (a NULL time becomes ""); onWarning when not given. */
  onNotice?: (message: string) => void
  batchSize?: number
  /** Stop reading (a pipe that sends nothing is left at once; the read then ends without error). */
  signal?: AbortSignal
  /** The caller keeps every event it reads (the interactive view): SQLite may sort in memory. */
  keepsAll?: boolean
}

export interface TypeVersionCount {
  type: string
  schemaVersion: number
  count: number
}

export interface CheckpointInfo {
  table: string
  name: string
  position: number | string | null
  updated?: string | null
}

export interface SourceSummary {
  source: string
  kind: 'sqlite' | 'file' | 'kafka'
  preset?: string
  mapping?: Record<string, string | undefined>
  events: number
  streams: number
  firstPosition: number | string | null
  lastPosition: number | string | null
  firstTime: string | null
  lastTime: string | null
  types: TypeVersionCount[]
  checkpoints: CheckpointInfo[]
  [extra: string]: unknown
}

/** Every source yields events in batches: cheap per event, and the same loop serves Kafka. */
export interface EventSource {
  readonly name: string
  readonly kind: 'sqlite' | 'file' | 'kafka'
  batches(options?: ReadOptions): AsyncIterable<Event[]>
  /** Up to `limit` stream ids that look like `stream` (for "unknown stream" errors). */
  similarStreams(stream: string, limit?: number): Promise<string[]>
  summarize(): Promise<SourceSummary>
  /** A rough event count for progress bars; undefined when unknown. */
  estimateCount?(options?: ReadOptions): Promise<number | undefined>
  close(): Promise<void>
}
