import type { Event } from '../events/event.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { runUserCode } from '../modules/user-code.js'
import { FoldSite } from './fold-site.js'
import { reducerFailure, type Reducer } from './reducer.js'

export interface StreamState {
  version: number
  events: number
  state: unknown
  /** Time of the last event folded. */
  time: string
  /** Position of the last event folded: messages about a state name it. */
  position: number | string
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
  /** In a worker thread: where the fold is, for the main thread (see FoldSite). */
  progress?: Float64Array
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
  const site = new FoldSite(reducer.name, upcasters, options.progress)
  const fold = (event: Event) => {
    if (filter !== undefined && !filter(event)) return
    site.folding(event)
    let entry = states.get(event.stream)
    if (entry === undefined) {
      entry = { version: 0, events: 0, state: reducer.init(), time: '', position: event.position }
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
    entry.position = event.position
    folded++
  }
  const foldBatch = (batch: Event[]) => {
    if (lift) {
      for (const stored of batch) {
        site.lifting(stored)
        for (const event of upcasters.apply(stored)) fold(event)
      }
    } else {
      for (let i = 0; i < batch.length; i++) fold(batch[i])
    }
  }
  for await (const batch of source.batches({ withMeta: false, ...options.read })) {
    read += batch.length
    runUserCode(() => foldBatch(batch), site.doing)
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
