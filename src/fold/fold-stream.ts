import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import type { EventSource } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { leafChanges, leaves, type FieldChange } from './changes.js'
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

const refOf = (e: Event): EventRef => ({ position: e.position, version: e.version, time: e.time, type: e.type })

/**
 * Folds one aggregate's events up to --at / --version / --position (or until --stop-when holds),
 * recording per-event changes for --trace and the last writer of each field for --blame.
 */
export async function foldStream(source: EventSource, stream: string, options: FoldStreamOptions): Promise<StateResult> {
  const { reducer, at, stopWhen } = options
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const tracking = options.trace === true || options.blame === true
  const warnings = new StreamWarnings(reducer)
  const trace: TraceRow[] = []
  const blame = new Map<string, EventRef | null>()
  let state = reducer.init()
  if (tracking) for (const field of leaves(state).keys()) blame.set(field, null)
  let version = 0
  let count = 0
  let seen = 0
  let stoppedAt: EventRef | undefined

  const invalid: string[] = []
  const notices: string[] = []
  const read = source.batches({ stream, untilPosition: options.position, withMeta: true, skipInvalid: options.skipInvalid, onWarning: (m) => invalid.push(m), onNotice: (m) => notices.push(m) })
  outer: for await (const batch of read) {
    for (const stored of batch) {
      seen++
      for (const event of upcasters.apply(stored)) {
        if (at !== undefined && compareTimes(event.time, at) > 0) continue
        if (options.version !== undefined && (event.version ?? count + 1) > options.version) break outer
        warnings.observe(event)
        const before = tracking ? structuredClone(state) : undefined
        try {
          state = reducer.apply(state, event)
        } catch (error) {
          throw reducerFailure(reducer, event, error)
        }
        count++
        version = event.version ?? count
        if (tracking) {
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
            break outer
          }
        }
      }
    }
  }

  if (seen === 0) throw await noSuchStream(source, stream)

  const as: StateAsOf = {}
  if (at !== undefined) as.time = at
  if (options.version !== undefined) as.version = options.version
  if (options.position !== undefined) as.position = options.position
  const result: StateResult = { stream, as, version, events: count, state, warnings: warnings.summary() }
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
