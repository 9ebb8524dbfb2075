import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import type { CompiledExpression } from '../events/expression.js'
import { leafChanges, type FieldChange } from '../fold/changes.js'
import { reducerFailure, type Reducer } from '../fold/reducer.js'
import { StreamWarnings } from '../fold/stream-warnings.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'

/** A jump refolds at most this many events from the nearest checkpoint. */
export const CHECKPOINT_EVERY = 256

/** What the selected event did: the state before and after it, and the leaf fields it changed. */
export interface Transition {
  index: number
  event: Event
  before: unknown
  after: unknown
  changes: FieldChange[]
}

export type Direction = 1 | -1

export interface SearchHit {
  index: number
  /** The search went past one end of the stream and continued from the other. */
  wrapped: boolean
}

// User reducers may mutate the state they are given: checkpoints and the cache keep their own copy.
const copy = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value
  try {
    return structuredClone(value)
  } catch {
    return value
  }
}

/**
 * One stream's events in memory and the states between them. States are not stored per event:
 * every CHECKPOINT_EVERY events a copy is kept, and any other state is refolded from the
 * checkpoint before it, so a jump anywhere costs at most CHECKPOINT_EVERY reducer calls.
 */
export class StateTimeline {
  readonly events: readonly Event[]
  /** Per event index, the warnings it raised (duplicate eventId, version gap, time going back). */
  readonly warnings: ReadonlyArray<readonly string[] | undefined>
  /** Every warning, with types the reducer ignores counted once per type. */
  readonly summary: readonly string[]
  /** Per event index, true when the reducer has no handler for its type. */
  readonly ignored: readonly boolean[]
  readonly reducer: Reducer
  private readonly every: number
  /** checkpoints[k]: the state after the first k * every events. */
  private readonly checkpoints: unknown[] = []
  /** The last state computed, after `count` events; stepping forward refolds one event. */
  private cache: { count: number; state: unknown } | undefined
  /** Lower-case search text per event, filled on demand and in idle time (see indexSearch). */
  private readonly texts: Array<string | undefined>
  private indexed = 0
  /** Events that raised at least one warning. */
  readonly flagged: number

  constructor(events: readonly Event[], reducer: Reducer, every = CHECKPOINT_EVERY) {
    this.events = events
    this.reducer = reducer
    this.every = Math.max(1, Math.floor(every))
    const watch = new StreamWarnings(reducer)
    const handles = new Map<string, boolean>()
    const ignored: boolean[] = new Array(events.length)
    let state = reducer.init()
    for (let i = 0; i < events.length; i++) {
      if (i % this.every === 0) this.checkpoints.push(copy(state))
      const event = events[i]
      watch.observe(event)
      let h = handles.get(event.type)
      if (h === undefined) handles.set(event.type, (h = reducer.handles(event.type) === false))
      ignored[i] = h
      state = this.apply(state, event)
    }
    if (events.length % this.every === 0) this.checkpoints.push(copy(state))
    this.cache = { count: events.length, state }
    this.ignored = ignored
    this.warnings = events.map((e) => watch.byPosition.get(e.position))
    this.flagged = this.warnings.reduce((n, w) => (w === undefined ? n : n + 1), 0)
    this.texts = new Array(events.length)
    this.summary = watch.summary()
  }

  get length(): number {
    return this.events.length
  }

  private apply(state: unknown, event: Event): unknown {
    try {
      return this.reducer.apply(state, event)
    } catch (error) {
      throw reducerFailure(this.reducer, event, error)
    }
  }

  /** The state after the first `count` events (0: the reducer's initial state). A private copy. */
  private foldTo(count: number): unknown {
    const k = Math.floor(count / this.every)
    let from = k * this.every
    let state: unknown
    const cache = this.cache
    if (cache !== undefined && cache.count <= count && cache.count >= from) {
      from = cache.count
      state = copy(cache.state)
    } else {
      state = copy(this.checkpoints[k])
    }
    for (let i = from; i < count; i++) state = this.apply(state, this.events[i])
    return state
  }

  /** The state after event `index` (-1: before any event). */
  stateAfter(index: number): unknown {
    const count = Math.min(Math.max(index + 1, 0), this.events.length)
    const state = this.foldTo(count)
    this.cache = { count, state: copy(state) }
    return state
  }

  /** The selected event's before/after states and the fields it changed. */
  transition(index: number): Transition {
    const state = this.foldTo(index)
    const before = copy(state)
    const after = this.apply(state, this.events[index])
    this.cache = { count: index + 1, state: copy(after) }
    return { index, event: this.events[index], before, after, changes: leafChanges(before, after) }
  }

  /** The last event at or before an ISO time; -1 when every event is later. */
  indexAtTime(iso: string): number {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].time <= iso) return i
    return -1
  }

  /** The last event at or up to a stream version (events without one count 1, 2, 3...). */
  indexAtVersion(version: number): number {
    for (let i = this.events.length - 1; i >= 0; i--) if ((this.events[i].version ?? i + 1) <= version) return i
    return -1
  }

  /** The last event at or before a global position. */
  indexAtPosition(position: number | string): number {
    const target = Number(position)
    for (let i = this.events.length - 1; i >= 0; i--) {
      const p = this.events[i].position
      if (typeof p === 'number' ? p <= target : String(p) <= String(position)) return i
    }
    return -1
  }

  /**
   * The next event (in `direction`, after `from`) whose type, data or metadata contains `query`,
   * ignoring case; wraps around. Undefined when no event matches.
   */
  search(query: string, from: number, direction: Direction = 1): SearchHit | undefined {
    const needle = query.trim().toLowerCase()
    if (needle === '') return undefined
    const n = this.events.length
    for (let step = 1; step <= n; step++) {
      const i = (((from + direction * step) % n) + n) % n
      if (this.searchText(i).includes(needle)) return { index: i, wrapped: direction === 1 ? i <= from : i >= from }
    }
    return undefined
  }

  private searchText(i: number): string {
    let text = this.texts[i]
    if (text === undefined) {
      const e = this.events[i]
      text = this.texts[i] = `${e.type}\u0000${JSON.stringify(e.data)}\u0000${JSON.stringify(e.meta)}`.toLowerCase()
    }
    return text
  }

  /**
   * Prepares search texts for about `budgetMs`, so that a search over a long stream finds them
   * ready. Returns false once every event is prepared. The view calls it while idle.
   */
  indexSearch(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs
    const n = this.events.length
    while (this.indexed < n) {
      const end = Math.min(n, this.indexed + 200)
      for (let i = this.indexed; i < end; i++) this.searchText(i)
      this.indexed = end
      if (performance.now() >= deadline) break
    }
    return this.indexed < n
  }

  /** Whether the expression holds after event `index`. */
  holds(expression: CompiledExpression, index: number): boolean {
    return expression.test({ state: this.stateAfter(index), event: this.events[index] })
  }

  /**
   * The next event after `from` where a breakpoint expression (roots `state`, the state after the
   * event, and `event`) stops. An expression that reads the state stops where it becomes true (false
   * after the previous event, true after this one); one that reads only the event stops at every
   * event it matches. Undefined when it never does before the end.
   */
  nextBreak(expression: CompiledExpression, from: number): number | undefined {
    const edge = expression.identifiers.includes('state')
    const start = Math.max(from + 1, 0)
    if (start >= this.events.length) return undefined
    let state = this.foldTo(start)
    const test = (event: Event, at: number): boolean => {
      try {
        return expression.test({ state, event })
      } catch (error) {
        throw new UserError(`breakpoint failed on event at position ${this.events[at].position}: ${(error as Error).message}`)
      }
    }
    let held = edge && start > 0 ? test(this.events[start - 1], start - 1) : false
    for (let i = start; i < this.events.length; i++) {
      const event = this.events[i]
      state = this.apply(state, event)
      const holds = test(event, i)
      if (holds && !held) return i
      held = edge && holds
    }
    return undefined
  }
}

/** Reads one stream's events, upcast, into memory (one aggregate is small enough to hold). */
export async function readStream(
  source: EventSource,
  stream: string,
  options: { upcasters?: UpcastChain; skipInvalid?: boolean; onWarning?: ReadOptions['onWarning'] } = {},
): Promise<Event[]> {
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const events: Event[] = []
  let seen = 0
  for await (const batch of source.batches({ stream, withMeta: true, keepsAll: true, skipInvalid: options.skipInvalid, onWarning: options.onWarning })) {
    seen += batch.length
    if (upcasters.size === 0) {
      for (const event of batch) events.push(event)
    } else {
      for (const stored of batch) for (const event of upcasters.apply(stored)) events.push(event)
    }
  }
  if (seen === 0) {
    const similar = await source.similarStreams(stream)
    throw new UserError(`${source.name}: no stream "${stream}"${similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : ''}`, { suggestions: similar })
  }
  return events
}
