import { UserError } from '../errors.js'
import { describeEvent } from '../events/describe-event.js'
import type { Event } from '../events/event.js'
import type { EventSource } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { leafChanges, leaves, type FieldChange } from './changes.js'
import { runUserCode } from '../modules/user-code.js'
import { deepFreeze, isFrozenWrite } from '../upcast/deep-freeze.js'
import { FoldSite } from './fold-site.js'
import { cycleAdvice, cyclePath } from './plain-state.js'
import { reducerFailure, type Reducer } from './reducer.js'
import { StreamWarnings } from './stream-warnings.js'
import { compareTimes } from '../events/time.js'
import { thousands } from '../output/numbers.js'

export interface EventRef {
  position: string | number
  version?: number
  time: string
  type: string
}

export interface TraceRow extends EventRef {
  changes: FieldChange[]
  /** What looked wrong at this event (duplicate eventId, version gap, time going backwards). */
  warnings?: string[]
}

export interface BlameRow {
  field: string
  value: unknown
  /** null: the field comes from the reducer's initial state. */
  event: EventRef | null
}

export interface StateAsOf {
  time?: string
  version?: number
  position?: string | number
}

export interface StateResult {
  stream: string
  as: StateAsOf
  version: number
  events: number
  state: unknown
  warnings: string[]
  trace?: TraceRow[]
  blame?: BlameRow[]
  /** The event after which --stop-when became true. */
  stoppedAt?: EventRef
}

export interface FoldStreamOptions {
  reducer: Reducer
  upcasters?: UpcastChain
  at?: string
  version?: number
  position?: string | number
  stopWhen?: (scope: { state: unknown; event: Event }) => boolean
  trace?: boolean
  blame?: boolean
  /** Malformed rows become a counted warning instead of an error. */
  skipInvalid?: boolean
}

/** The error for a stream without a single row, with the names of streams like it. */
export async function noSuchStream(source: EventSource, stream: string): Promise<UserError> {
  const similar = await source.similarStreams(stream)
  return new UserError(`${source.name}: no stream "${stream}"${similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : ''}`, { suggestions: similar })
}

/** Whether the reducer left its copy of an event as it was stored. */
const sameEvent = (copy: Event, stored: Event): boolean => {
  try {
    return JSON.stringify(copy) === JSON.stringify(stored)
  } catch {
    return true
  }
}

const refOf = (e: Event): EventRef => ({ position: e.position, version: e.version, time: e.time, type: e.type })

/** Thrown by a fold that hands the reducer frozen events when the reducer writes to one. */
class WroteToEvent extends Error {}

/**
 * Folds one aggregate's events up to --at / --version / --position (or until --stop-when holds),
 * recording per-event changes for --trace and the last writer of each field for --blame.
 *
 * The reducer gets each event frozen, so that it cannot change what --trace shows. One that
 * writes to an event anyway is folded again, given copies, and named in a warning.
 */
export async function foldStream(source: EventSource, stream: string, options: FoldStreamOptions): Promise<StateResult> {
  try {
    return await foldOnce(source, stream, options, false)
  } catch (error) {
    if (!(error instanceof WroteToEvent)) throw error
    return foldOnce(source, stream, options, true)
  }
}

async function foldOnce(source: EventSource, stream: string, options: FoldStreamOptions, copying: boolean): Promise<StateResult> {
  const { reducer, at, stopWhen } = options
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const tracking = options.trace === true || options.blame === true
  const warnings = new StreamWarnings(reducer)
  const site = new FoldSite(reducer.name, upcasters)
  const trace: TraceRow[] = []
  const blame = new Map<string, EventRef | null>()
  let state: unknown
  let started = false
  // In the first batch's runUserCode: each call costs ~30 µs, a one-stream fold makes one.
  const start = () => {
    started = true
    state = reducer.init()
    if (tracking) for (const field of leaves(state).keys()) blame.set(field, null)
  }
  let version = 0
  let count = 0
  let seen = 0
  let stoppedAt: EventRef | undefined
  let last: Event | undefined
  const mutated: Event[] = []

  const apply = (event: Event): unknown => {
    site.folding(event)
    if (!copying) {
      try {
        return reducer.apply(state, deepFreeze(event))
      } catch (error) {
        if (isFrozenWrite(error)) throw new WroteToEvent()
        throw reducerFailure(reducer, event, error)
      }
    }
    const copy = structuredClone(event)
    try {
      return reducer.apply(state, copy)
    } catch (error) {
      throw reducerFailure(reducer, event, error)
    } finally {
      if (!sameEvent(copy, event)) mutated.push(event)
    }
  }

  /** Folds one batch; true once the fold should stop. */
  const foldBatch = (batch: Event[]): boolean => {
    if (!started) start()
    for (const stored of batch) {
      seen++
      site.lifting(stored)
      for (const event of upcasters.apply(stored)) {
        if (at !== undefined && compareTimes(event.time, at) > 0) continue
        if (options.version !== undefined && (event.version ?? count + 1) > options.version) return true
        warnings.observe(event)
        const before = tracking ? structuredClone(state) : undefined
        state = apply(event)
        last = event
        count++
        version = event.version ?? count
        if (tracking) {
          // leafChanges would never end on a cycle.
          const cycle = cyclePath(state)
          if (cycle !== undefined) throw new UserError(`${reducer.name} returned a state with a cycle for ${describeEvent(event)}: ${cycleAdvice(cycle)}`)
          const changes = leafChanges(before, state)
          if (options.trace === true) {
            const flagged = warnings.byPosition.get(event.position)
            trace.push(flagged === undefined ? { ...refOf(event), changes } : { ...refOf(event), changes, warnings: flagged })
          }
          for (const change of changes) blame.set(change.path, refOf(event))
        }
        if (stopWhen !== undefined) {
          let hit: boolean
          try {
            hit = stopWhen({ state, event })
          } catch (error) {
            throw new UserError(`--stop-when failed on event at position ${event.position}: ${(error as Error).message}`)
          }
          if (hit) {
            stoppedAt = refOf(event)
            return true
          }
        }
      }
    }
    return false
  }

  const invalid: string[] = []
  const notices: string[] = []
  const read = source.batches({ stream, untilPosition: options.position, withMeta: true, skipInvalid: options.skipInvalid, onWarning: (m) => invalid.push(m), onNotice: (m) => notices.push(m) })
  for await (const batch of read) if (runUserCode(() => foldBatch(batch), site.doing)) break
  if (!started) runUserCode(start, site.doing)

  if (seen === 0) throw await noSuchStream(source, stream)

  const as: StateAsOf = {}
  if (at !== undefined) as.time = at
  if (options.version !== undefined) as.version = options.version
  if (options.position !== undefined) as.position = options.position
  const cycle = last === undefined ? undefined : cyclePath(state)
  if (cycle !== undefined) throw new UserError(`${reducer.name} returned a state with a cycle, as of ${describeEvent(last!)}: ${cycleAdvice(cycle)}`)
  // JSON has no undefined: a reducer that returned it still has a "state" in --json.
  const result: StateResult = { stream, as, version, events: count, state: state === undefined ? null : state, warnings: warnings.summary() }
  if (state === undefined && last !== undefined) result.warnings.push(`${reducer.name} returned undefined for ${describeEvent(last)}: the state is null (does a handler miss a "return"?)`)
  if (mutated.length > 0) result.warnings.push(`${reducer.name} changed ${describeEvent(mutated[0])}${mutated.length > 1 ? ` and ${mutated.length - 1} more` : ''}: events are read-only, so it was given copies and the output shows the events as stored; copy before changing (e.g. { ...event.data })`)
  result.warnings.unshift(...notices)
  if (invalid.length > 0) result.warnings.unshift(invalid.length === 1 ? `skipped an invalid row: ${invalid[0]}` : `skipped ${thousands(invalid.length)} invalid rows; the first: ${invalid[0]}`)
  if (count === 0) result.warnings.push(`no event of ${stream} is at or before the requested point: this is the reducer's initial state`)
  if (options.trace === true) result.trace = trace
  if (options.blame === true) {
    result.blame = [...leaves(state)].map(([field, value]) => ({ field, value, event: blame.get(field) ?? null }))
  }
  if (stopWhen !== undefined) {
    if (stoppedAt !== undefined) result.stoppedAt = stoppedAt
    else result.warnings.push('--stop-when never became true: this is the state after the last event')
  }
  return result
}
