import type { Event } from '../events/event.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { reducerFailure, type Reducer } from './reducer.js'

export interface StreamState {
  version: number
  events: number
  state: unknown
  /** Time of the last event folded. */
  time: string
}

export interface ReplayOptions {
  reducer: Reducer
  upcasters?: UpcastChain
  /** Keep only events passing this (types, streams, --at). */
  filter?: (event: Event) => boolean
  read?: ReadOptions
  onProgress?: (eventsRead: number) => void
  /** Note each stream's first folded position (parallel replays merge in that order). */
  firstPositions?: Map<string, number | string>
}

export interface ReplayResult {
  states: Map<string, StreamState>
  /** Events folded (after filters). */
  events: number
  /** Events read from the source. */
  read: number
}

/**
 * Folds every stream in one pass over the source. Memory grows with the number of streams,
 * never with the number of events: each stream keeps only its current state.
 */
export async function replayAll(source: EventSource, options: ReplayOptions): Promise<ReplayResult> {
  const { reducer, filter, onProgress } = options
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const lift = upcasters.size > 0
  const states = new Map<string, StreamState>()
  let folded = 0
  let read = 0
  const fold = (event: Event) => {
    if (filter !== undefined && !filter(event)) return
    let entry = states.get(event.stream)
    if (entry === undefined) {
      entry = { version: 0, events: 0, state: reducer.init(), time: '' }
      states.set(event.stream, entry)
      options.firstPositions?.set(event.stream, event.position)
    }
    try {
      entry.state = reducer.apply(entry.state, event)
    } catch (error) {
      throw reducerFailure(reducer, event, error)
    }
    entry.events++
    entry.version = event.version ?? entry.events
    entry.time = event.time
    folded++
  }
  for await (const batch of source.batches({ withMeta: false, ...options.read })) {
    read += batch.length
    if (lift) {
      for (const stored of batch) for (const event of upcasters.apply(stored)) fold(event)
    } else {
      for (let i = 0; i < batch.length; i++) fold(batch[i])
    }
    onProgress?.(read)
  }
  return { states, events: folded, read }
}

/**
 * The states by stream id, as SQLite's BINARY collation orders them: every output of `replay`
 * (table, NDJSON, JSON, --out) lists streams in this one order, whatever the threads did.
 */
export function byStreamId(states: Map<string, StreamState>): Map<string, StreamState> {
  return new Map([...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
