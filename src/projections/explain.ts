import type { Event } from '../events/event.js'
import { leaves } from '../fold/changes.js'
import type { Reducer } from '../fold/reducer.js'
import { eventIdOf } from '../fold/stream-warnings.js'
import { inlineValue } from '../output/json.js'
import type { FoldPoint } from './row-match.js'
import { thousands } from '../output/numbers.js'

/** One stream's events as folded (upcast, up to the diff's point), kept only up to a limit. */
export interface StreamEvents {
  events: Event[]
  /** Events the stream has up to the diff's point (more than `events.length` when truncated). */
  count: number
  truncated: boolean
}

export type ExplanationKind = 'behind' | 'twice' | 'skipped' | 'none'

export interface Explanation {
  kind: ExplanationKind
  text: string
}

/** Reducer applications the whole search may spend: explanations are bounded work. */
export class WorkBudget {
  constructor(public remaining: number) {}

  spend(cost: number): boolean {
    if (cost > this.remaining) return false
    this.remaining -= cost
    return true
  }
}

/** A state copy, so that replaying from a fold checkpoint cannot change it (reducers may mutate). */
function copy(state: unknown): unknown {
  if (state === null || typeof state !== 'object') return state
  try {
    return structuredClone(state)
  } catch {
    return state
  }
}

const label = (e: Event) => (e.version === undefined ? `the event at position ${e.position}` : `event ${e.version}`)
const shortLabel = (e: Event) => (e.version === undefined ? `position ${e.position}` : String(e.version))

/** "MoneyDeposited, amount.value 117, eventId evt-1, position 73": what a person looks the event up by. */
export function describeEvent(event: Event): string {
  const parts = [event.type]
  let shown = 0
  for (const [path, value] of leaves(event.data)) {
    if (shown === 3) {
      parts.push('…')
      break
    }
    parts.push(path === '' ? inlineValue(value, 30) : `${path} ${inlineValue(value, 30)}`)
    shown++
  }
  const id = eventIdOf(event)
  if (id !== undefined) parts.push(`eventId ${id}`)
  parts.push(`position ${event.position}`)
  return parts.join(', ')
}

/** "MoneyWithdrawn, StatementSent, MoneyDeposited x2" */
function typesOf(events: Event[]): string {
  const counts = new Map<string, number>()
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1)
  return [...counts].map(([type, n]) => (n === 1 ? type : `${type} x${n}`)).join(', ')
}

function range(events: Event[]): string {
  const first = events[0]
  const last = events[events.length - 1]
  if (events.length === 1) return `event ${shortLabel(first)}`
  return first.version !== undefined && last.version !== undefined ? `events ${first.version}..${last.version}` : `events at positions ${first.position}..${last.position}`
}

/**
 * Why a projection row differs from the replay, by the three mistakes projectors make:
 * (a) the row equals an earlier version of the stream (it missed the events after it);
 * (b) folding one event twice gives the row; (c) leaving one event out gives the row.
 * (a) is linear thanks to the fold checkpoints (the state after each event); (b) and (c)
 * refold from each checkpoint, so they are quadratic and bounded by `budget`.
 */
export function explainDrift(stream: StreamEvents, reducer: Reducer, matches: (point: FoldPoint) => boolean, budget: WorkBudget, limitFlag = '--explain-limit'): Explanation {
  const { events } = stream
  if (stream.truncated) {
    return { kind: 'none', text: `no simple explanation searched: the stream has ${thousands(stream.count)} events, more than ${limitFlag} ${events.length}` }
  }
  const n = events.length
  const versionAt = (i: number) => (i === 0 ? 0 : events[i - 1].version ?? i)
  const timeAt = (i: number) => (i === 0 ? '' : events[i - 1].time)
  const apply = (state: unknown, event: Event) => reducer.apply(state, event)

  if (!budget.spend(n)) return { kind: 'none', text: 'no simple explanation searched: the work limit for explanations is used up' }
  // Fold checkpoints: the state after each event (checkpoints[0] is the initial state).
  const checkpoints: unknown[] = [reducer.init()]
  try {
    for (let i = 0; i < n; i++) checkpoints.push(apply(copy(checkpoints[i]), events[i]))
  } catch {
    return { kind: 'none', text: 'no simple explanation: the reducer throws while refolding this stream' }
  }
  const point = (i: number): FoldPoint => ({ state: checkpoints[i], version: versionAt(i), time: timeAt(i) })

  // (a) the newest earlier version that equals the row
  for (let k = n - 1; k >= 0; k--) {
    if (!matches(point(k))) continue
    const missed = events.slice(k)
    const at = k === 0 ? 'the initial state' : `version ${versionAt(k)}`
    return { kind: 'behind', text: `the projection matches ${at} of ${versionAt(n)}: it missed ${range(missed)} (${typesOf(missed)})` }
  }

  for (const kind of ['twice', 'skipped'] as const) {
    const full: Event[] = []
    let partial: { event: Event; stop: number } | undefined
    for (let v = 1; v <= n; v++) {
      if (!budget.spend(n - v + 1)) {
        if (full.length > 0 || partial !== undefined) break
        return { kind: 'none', text: 'no simple explanation: the search for an event applied twice or skipped hit its work limit' }
      }
      const event = events[v - 1]
      // The fold with event v applied twice (or left out), checked after every later event.
      let state: unknown
      try {
        state = kind === 'twice' ? apply(copy(checkpoints[v]), event) : copy(checkpoints[v - 1])
      } catch {
        continue
      }
      let matchedAt: number | undefined
      for (let j = v; j <= n; j++) {
        if (j > v) {
          try {
            state = apply(state, events[j - 1])
          } catch {
            break
          }
        }
        if (matches({ state, version: versionAt(j), time: timeAt(j) })) matchedAt = j
      }
      if (matchedAt === n) full.push(event)
      else if (matchedAt !== undefined && partial === undefined) partial = { event, stop: matchedAt }
      if (full.length >= 4) break
    }
    const verb = kind === 'twice' ? 'looks applied twice' : 'looks skipped'
    if (full.length > 0) {
      const [first, ...others] = full
      const also = others.length === 0 ? '' : ` (${others.map(shortLabel).join(', ')}${full.length >= 4 ? ', ...' : ''} would explain it too)`
      return { kind, text: `${label(first)} (${describeEvent(first)}) ${verb}${also}` }
    }
    if (partial !== undefined) {
      const missed = events.slice(partial.stop)
      return {
        kind,
        text: `${label(partial.event)} (${describeEvent(partial.event)}) ${verb}, and the projection stops at version ${versionAt(partial.stop)} of ${versionAt(n)}: it missed ${range(missed)} (${typesOf(missed)})`,
      }
    }
  }
  return { kind: 'none', text: 'no simple explanation: no earlier version, no event applied twice and no skipped event gives this row' }
}
