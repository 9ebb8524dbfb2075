import type { Event } from '../events/event.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { quoteIdent } from '../sources/sqlite/layout.js'
import { explainSqlite } from '../sources/sqlite/sqlite-errors.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import type { UpcastChain } from '../upcast/chain.js'
import type { StreamEvents } from './explain.js'

export interface CollectOptions {
  upcasters: UpcastChain
  /** Keep events passing this (the diff's --at). */
  filter?: (event: Event) => boolean
  read: ReadOptions
  /** Events kept per stream; longer streams are only counted. */
  limit: number
}

/** Per-stream reads pay off only when SQLite can find a stream by index. */
const MAX_INDEXED_READS = 200

function hasStreamIndex(source: SqliteSource): boolean {
  return explainSqlite({ file: source.file, table: source.layout.mapping.table }, () => indexesStream(source))
}

function indexesStream(source: SqliteSource): boolean {
  const { table, stream } = source.layout.mapping
  const indexes = source.db.prepare(`PRAGMA index_list(${quoteIdent(table)})`).all() as Array<{ name: string }>
  return indexes.some((index) => {
    const first = source.db.prepare(`PRAGMA index_info(${quoteIdent(index.name)})`).all() as Array<{ seqno: number; name: string }>
    return first.some((c) => c.seqno === 0 && c.name === stream)
  })
}

/**
 * The events of a few streams, as the fold sees them: one indexed query per stream on SQLite
 * when the stream column is indexed, otherwise one pass over the source keeping only these streams.
 */
export async function collectStreamEvents(source: EventSource, streams: Set<string>, options: CollectOptions): Promise<Map<string, StreamEvents>> {
  const collected = new Map<string, StreamEvents>()
  for (const stream of streams) collected.set(stream, { events: [], count: 0, truncated: false })
  const keep = (event: Event) => {
    const entry = collected.get(event.stream)
    if (entry === undefined) return
    for (const lifted of options.upcasters.apply(event)) {
      if (options.filter !== undefined && !options.filter(lifted)) continue
      entry.count++
      if (entry.events.length < options.limit) entry.events.push(lifted)
      else entry.truncated = true
    }
  }
  const read = { ...options.read, withMeta: true }
  if (source instanceof SqliteSource && streams.size <= MAX_INDEXED_READS && hasStreamIndex(source)) {
    for (const stream of streams) {
      for await (const batch of source.batches({ ...read, stream })) for (const event of batch) keep(event)
    }
  } else {
    for await (const batch of source.batches(read)) for (const event of batch) keep(event)
  }
  return collected
}
