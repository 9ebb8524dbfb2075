import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import type { CompiledExpression } from '../events/expression.js'
import { leafChanges, type FieldChange } from '../fold/changes.js'
import { noSuchStream } from '../fold/fold-stream.js'
import { reducerFailure, type Reducer } from '../fold/reducer.js'
import { StreamWarnings } from '../fold/stream-warnings.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { compareTimes } from '../events/time.js'

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

const NOT_COPYABLE = Symbol('not copyable')

// User reducers may mutate the state they are given: checkpoints and the cache keep their own copy.
// A state structuredClone cannot copy (a function in it) keeps none (see TimelineParts.copyable).
const copyOf = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value
  try {
    return structuredClone(value)
  } catch {
    return NOT_COPYABLE
  }
}

/** What the event list needs of the whole stream, so that its columns do not jump while scrolling. */
export interface RowStats {
  /** Every event's time is in one year (the list then leaves the year out). */
  oneYear: boolean
  /** The widest label (v12 or #position), in characters. */
  labelWidth: number
  /** The longest type name, in characters. */
  typeWidth: number
}

/**
 * What folding a stream once leaves behind, so that a timeline can be had without folding again
 * (a thread folds, see timeline-thread.ts). Plain data: it goes between threads.
 */
export interface TimelineParts {
  every: number
  /** checkpoints[k]: the state after the first k * every events. */
  checkpoints: unknown[]
  /** The state after the last event. */
  final: unknown
  /** Per event index, the warnings it raised; only the indexes that have any. */
  warnings: Array<[number, string[]]>
  /** Per event index, 1 when the reducer has no handler for its type. */
  ignored: Uint8Array
  summary: string[]
  stats: RowStats
  /** Times (none empty), versions (every event has one) and numeric positions never go down. */
  ordered: { time: boolean; version: boolean; position: boolean }
  /**
   * The states can be copied. When not (a function in them), there are no checkpoints and any
   * state is folded from the start: slower, but a reducer that changes the state it is given
   * cannot change a kept one.
   */
  copyable: boolean
}

/** The events of a timeline: in memory, or parsed from text a page at a time (see ChunkedEvents). */
export interface EventList {
  readonly length: number
  at(index: number): Event
  /**
   * Where a search for `needle` (lower case) may skip to from `index`, in `direction`: the event
   * before the next one in the page that may hold it, or the page's last when none can.
   */
  skipWithout?(index: number, needle: string, direction: Direction): number | undefined
  /** An event's search text (eventSearchText), when the list has it made already; given, the timeline makes none in idle time. */
  searchTextAt?(index: number): string | undefined
  /** Idle work until `deadline` (performance.now()): pages parsed, those near event `near` first; true while some is left. */
  prepare?(deadline: number, near?: number): boolean
}

const arrayList = (events: readonly Event[]): EventList => ({ length: events.length, at: (i) => events[i] })

/** What `/` looks into for an event, in lower case: its type, data and metadata. */
export function eventSearchText(e: Event): string {
  return `${e.type}\u0000${JSON.stringify(e.data)}\u0000${JSON.stringify(e.meta)}`.toLowerCase()
}

/**
 * One stream's events and the states between them. States are not stored per event:
 * every CHECKPOINT_EVERY events a copy is kept, and any other state is refolded from the
 * checkpoint before it, so a jump anywhere costs at most CHECKPOINT_EVERY reducer calls.
 */
export class StateTimeline {
  private readonly list: EventList
  /** Per event index, the warnings it raised (duplicate eventId, version gap, time going back). */
  readonly warnings: ReadonlyArray<readonly string[] | undefined>
  /** Every warning, with types the reducer ignores counted once per type. */
  readonly summary: readonly string[]
  /** Per event index, 1 when the reducer has no handler for its type. */
  readonly ignored: Uint8Array
  readonly reducer: Reducer
  readonly stats: RowStats
  private readonly ordered: TimelineParts['ordered']
  private copyable: boolean
  private readonly every: number
  /** checkpoints[k]: the state after the first k * every events. */
  private readonly checkpoints: unknown[]
  /** The last state computed, after `count` events; stepping forward refolds one event. */
  private cache: { count: number; state: unknown } | undefined
  /** Lower-case search text per event, filled on demand and in idle time (see prepare). */
  private readonly texts: Array<string | undefined>
  private indexed = 0
  /** Events that raised at least one warning. */
  readonly flagged: number

  /** Folds `events` once (every: how often to keep a checkpoint), or takes the parts of such a fold. */
  constructor(events: readonly Event[] | EventList, reducer: Reducer, every: number | TimelineParts = CHECKPOINT_EVERY) {
    this.list = Array.isArray(events) ? arrayList(events) : (events as EventList)
    this.reducer = reducer
    const parts = typeof every === 'number' ? foldParts(this.list, reducer, every) : every
    this.every = parts.every
    this.checkpoints = parts.checkpoints
    this.copyable = parts.copyable
    this.cache = parts.copyable ? { count: this.list.length, state: parts.final } : undefined
    this.ignored = parts.ignored
    const warnings: Array<readonly string[] | undefined> = new Array(this.list.length)
    for (const [index, list] of parts.warnings) warnings[index] = list
    this.warnings = warnings
    this.flagged = parts.warnings.length
    this.summary = parts.summary
    this.stats = parts.stats
    this.ordered = parts.ordered
    this.texts = new Array(this.list.length)
  }

  event(index: number): Event {
    return this.list.at(index)
  }

  get length(): number {
    return this.list.length
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
    if (!this.copyable) {
      let state = this.reducer.init()
      for (let i = 0; i < count; i++) state = this.apply(state, this.list.at(i))
      return state
    }
    const k = Math.floor(count / this.every)
    let from = k * this.every
    let state: unknown
    const cache = this.cache
    if (cache !== undefined && cache.count <= count && cache.count >= from) {
      from = cache.count
      state = copyOf(cache.state)
    } else {
      state = copyOf(this.checkpoints[k])
    }
    for (let i = from; i < count; i++) state = this.apply(state, this.list.at(i))
    return state
  }

  /** The state after event `index` (-1: before any event). */
  stateAfter(index: number): unknown {
    const count = Math.min(Math.max(index + 1, 0), this.list.length)
    const state = this.foldTo(count)
    this.remember(count, state)
    return state
  }

  /** Keeps a copy of the state after `count` events for the next step; none once a state cannot be copied. */
  private remember(count: number, state: unknown): void {
    if (!this.copyable) return
    const kept = copyOf(state)
    if (kept !== NOT_COPYABLE) this.cache = { count, state: kept }
    else {
      this.copyable = false
      this.cache = undefined
    }
  }

  /** The selected event's before/after states and the fields it changed. */
  transition(index: number): Transition {
    const state = this.foldTo(index)
    let before = this.copyable ? copyOf(state) : NOT_COPYABLE
    if (before === NOT_COPYABLE) {
      // Folded again, as applying the event may change `state` itself.
      this.copyable = false
      before = this.foldTo(index)
    }
    const after = this.apply(state, this.list.at(index))
    this.remember(index + 1, after)
    return { index, event: this.list.at(index), before, after, changes: leafChanges(before, after) }
  }

  /** The last event at or before an ISO time; -1 when every event is later. */
  indexAtTime(iso: string): number {
    return this.lastWhere(this.ordered.time, (i) => compareTimes(this.list.at(i).time, iso) <= 0)
  }

  /** The last event at or up to a stream version (events without one count 1, 2, 3...). */
  indexAtVersion(version: number): number {
    return this.lastWhere(this.ordered.version, (i) => (this.list.at(i).version ?? i + 1) <= version)
  }

  /** The last event at or before a global position. */
  indexAtPosition(position: number | string): number {
    const target = Number(position)
    return this.lastWhere(this.ordered.position, (i) => {
      const p = this.list.at(i).position
      return typeof p === 'number' ? p <= target : String(p) <= String(position)
    })
  }

  /**
   * The last index where `holds`; -1 when none. For events in `order` (the test holds up to some
   * index and not after) a search in halves: a look at ~17 events of 100,000, where a scan from
   * the end would parse every page.
   */
  private lastWhere(order: boolean, holds: (index: number) => boolean): number {
    if (!order) {
      for (let i = this.list.length - 1; i >= 0; i--) if (holds(i)) return i
      return -1
    }
    let low = -1
    let high = this.list.length
    while (high - low > 1) {
      const mid = (low + high) >>> 1
      if (holds(mid)) low = mid
      else high = mid
    }
    return low
  }

  /**
   * The next event (in `direction`, after `from`) whose type, data or metadata contains `query`,
   * ignoring case; wraps around. Undefined when no event matches.
   */
  search(query: string, from: number, direction: Direction = 1): SearchHit | undefined {
    const needle = query.trim().toLowerCase()
    if (needle === '') return undefined
    const n = this.list.length
    for (let step = 1; step <= n; step++) {
      const i = (((from + direction * step) % n) + n) % n
      // A page whose text cannot hold the needle is passed over without parsing it.
      const skipTo = this.texts[i] === undefined ? this.list.skipWithout?.(i, needle, direction) : undefined
      if (skipTo !== undefined) step += Math.abs(skipTo - i)
      else if (this.searchText(i).includes(needle)) return { index: i, wrapped: direction === 1 ? i <= from : i >= from }
    }
    return undefined
  }

  private searchText(i: number): string {
    let text = this.texts[i] ?? this.list.searchTextAt?.(i)
    if (text === undefined) text = this.texts[i] = eventSearchText(this.list.at(i))
    return text
  }

  /**
   * Idle work for about `budgetMs`, so that keys find it done: first the events' pages are parsed,
   * those near event `near` (the selected one) first, so that a jump or a breakpoint folds without
   * parsing; then search texts are prepared. Returns false once all is done. The view calls it while idle.
   */
  prepare(budgetMs: number, near = 0): boolean {
    const deadline = performance.now() + budgetMs
    if (this.list.prepare?.(deadline, near) === true) return true
    // A list that brings its own search texts (from the folding thread) needs none made here.
    const n = this.list.searchTextAt === undefined ? this.list.length : 0
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
    return expression.test({ state: this.stateAfter(index), event: this.list.at(index) })
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
    if (start >= this.list.length) return undefined
    let state = this.foldTo(start)
    const test = (event: Event, at: number): boolean => {
      try {
        return expression.test({ state, event })
      } catch (error) {
        throw new UserError(`breakpoint failed on event at position ${this.list.at(at).position}: ${(error as Error).message}`)
      }
    }
    let held = edge && start > 0 ? test(this.list.at(start - 1), start - 1) : false
    for (let i = start; i < this.list.length; i++) {
      const event = this.list.at(i)
      state = this.apply(state, event)
      const holds = test(event, i)
      if (holds && !held) return i
      held = edge && holds
    }
    return undefined
  }
}

/**
 * Folds a stream once, an event at a time, into what a timeline keeps (see TimelineParts). It
 * holds on to no event, so that a thread can fold a long stream page by page.
 */
export class TimelineFold {
  private readonly watch: StreamWarnings
  private readonly checkpoints: unknown[] = []
  private readonly warnings: Array<[number, string[]]> = []
  private ignored = new Uint8Array(1024)
  private state: unknown
  private count = 0
  private labelWidth = 2
  private typeWidth = 4
  private year: string | undefined
  private oneYear = true
  /** No empty time, no event without a version, only numeric positions; going back is the warnings' to see. */
  private readonly ordered = { time: true, version: true, position: true }
  private lastPosition = -Infinity
  private copyable = true

  constructor(private readonly reducer: Reducer, private readonly every = CHECKPOINT_EVERY) {
    this.every = Math.max(1, Math.floor(every))
    this.watch = new StreamWarnings(reducer)
    this.state = reducer.init()
  }

  add(event: Event): void {
    const i = this.count++
    if (i % this.every === 0 && this.copyable) this.keep(this.state)
    const raised = this.watch.observe(event)
    if (raised !== undefined) this.warnings.push([i, raised])
    if (event.type.length > this.typeWidth && this.typeWidth < 22) this.typeWidth = Math.min(22, event.type.length)
    if (this.watch.ignoredLast) {
      if (i >= this.ignored.length) {
        const grown = new Uint8Array(this.ignored.length * 2)
        grown.set(this.ignored)
        this.ignored = grown
      }
      this.ignored[i] = 1
    }
    // No string made per event for these (a long stream's fold is mostly allocation).
    const label = textLength(event.version ?? event.position) + 1
    if (label > this.labelWidth) this.labelWidth = label
    if (i === 0) this.year = event.time.slice(0, 4)
    else if (this.oneYear && !event.time.startsWith(this.year!)) this.oneYear = false
    const ordered = this.ordered
    if (event.time === '') ordered.time = false
    if (event.version === undefined) ordered.version = false
    if (typeof event.position !== 'number' || event.position < this.lastPosition) ordered.position = false
    else this.lastPosition = event.position
    try {
      this.state = this.reducer.apply(this.state, event)
    } catch (error) {
      throw reducerFailure(this.reducer, event, error)
    }
  }

  get length(): number {
    return this.count
  }

  /** Keeps a copy of the state as a checkpoint; a state that cannot be copied keeps none at all. */
  private keep(state: unknown): void {
    const kept = copyOf(state)
    if (kept !== NOT_COPYABLE) this.checkpoints.push(kept)
    else {
      this.copyable = false
      this.checkpoints.length = 0
    }
  }

  /** Times, versions and positions that never go down (see TimelineParts.ordered). */
  private order(): TimelineParts['ordered'] {
    const { time, version, position } = this.ordered
    const back = this.watch.wentBack
    return { time: time && !back.time, version: version && !back.version, position }
  }

  /** What the fold leaves (see TimelineParts), once the last event is in. */
  parts(): TimelineParts {
    if (this.copyable && this.count % this.every === 0) this.keep(this.state)
    const { checkpoints, copyable } = this
    const ignored = new Uint8Array(this.count)
    ignored.set(this.ignored.subarray(0, this.count))
    const stats = { oneYear: this.oneYear, labelWidth: this.labelWidth, typeWidth: this.typeWidth }
    return { every: this.every, checkpoints, final: this.state, warnings: this.warnings, ignored, summary: this.watch.summary(), stats, ordered: this.order(), copyable }
  }
}

/** String(value).length, without the string for a whole number. */
function textLength(value: string | number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return String(value).length
  let n = 1
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) n++
  return n
}

function foldParts(events: EventList, reducer: Reducer, every: number): TimelineParts {
  const fold = new TimelineFold(reducer, every)
  for (let i = 0; i < events.length; i++) fold.add(events.at(i))
  return fold.parts()
}

/** Reads one stream's events, upcast, into memory (one aggregate is small enough to hold); `onEvent` sees each as it comes. */
export async function readStream(
  source: EventSource,
  stream: string,
  options: { upcasters?: UpcastChain; skipInvalid?: boolean; onWarning?: ReadOptions['onWarning']; onEvent?: (event: Event) => void } = {},
): Promise<Event[]> {
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const events: Event[] = []
  const take = options.onEvent === undefined ? (event: Event) => events.push(event) : (event: Event) => (events.push(event), options.onEvent!(event))
  let seen = 0
  for await (const batch of source.batches({ stream, withMeta: true, keepsAll: true, skipInvalid: options.skipInvalid, onWarning: options.onWarning })) {
    seen += batch.length
    if (upcasters.size === 0) {
      for (const event of batch) take(event)
    } else {
      for (const stored of batch) for (const event of upcasters.apply(stored)) take(event)
    }
  }
  if (seen === 0) throw await noSuchStream(source, stream)
  return events
}
