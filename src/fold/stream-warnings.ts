import type { Event } from '../events/event.js'
import type { Reducer } from './reducer.js'
import { compareTimes } from '../events/time.js'

/** The id an event carries, under the names stores use for it. */
export function eventIdOf(event: Event): string | undefined {
  const meta = event.meta
  const id = meta.eventId ?? meta.event_id ?? meta.messageId ?? meta.id
  return id === undefined || id === null ? undefined : String(id)
}

/** What a warning says of an event seen before: the fields of its label. */
interface SeenEvent {
  type: string
  version?: number
  position: string | number
}

const label = (e: SeenEvent) => (e.version === undefined ? `position ${e.position}` : `v${e.version} (position ${e.position})`)

/**
 * Watches one stream's events for what makes a fold untrustworthy: the same eventId twice,
 * version gaps or repeats, time going backwards, and types the reducer ignores (per type).
 * It keeps no event (only each eventId's type, version and position), so that a long stream's
 * events can go as soon as they are folded.
 */
export class StreamWarnings {
  readonly warnings: string[] = []
  /** Per event position, the warnings it raised (the interactive view marks rows with these). */
  readonly byPosition = new Map<string | number, string[]>()
  /** Each eventId seen, to the index of its first event in `seen` (numbers: no object per event). */
  private readonly seenIds = new Map<string, number>()
  /** The type (by its index in `types`), version and position of each eventId's first event. */
  private readonly seen: { types: number[]; versions: Array<number | undefined>; positions: Array<string | number> } = { types: [], versions: [], positions: [] }
  /** Each type seen, by index, and whether the reducer handles it (a stream has few types). */
  private readonly types: Array<{ name: string; handled: boolean }> = []
  private readonly typeIndex = new Map<string, number>()
  /** The event before: its version, position and time (none before the first event). */
  private previous?: { version?: number; position: string | number; time: string }
  private readonly ignored = new Map<string, number>()
  /** Whether the reducer ignores the type of the event observed last (with a reducer). */
  ignoredLast = false
  /** Whether a version or a time has gone back so far (state -i then cannot search them in halves). */
  readonly wentBack = { version: false, time: false }

  constructor(private readonly reducer?: Reducer) {}

  private add(event: Event, message: string, raised: string[] | undefined): string[] {
    this.warnings.push(message)
    let list = raised ?? this.byPosition.get(event.position)
    if (list === undefined) this.byPosition.set(event.position, (list = []))
    list.push(message)
    return list
  }

  /** Looks at the next event; returns the warnings it raised, if any. */
  observe(event: Event): string[] | undefined {
    let raised: string[] | undefined
    let type = this.typeIndex.get(event.type)
    if (type === undefined) {
      type = this.types.length
      this.types.push({ name: event.type, handled: this.reducer?.handles(event.type) !== false })
      this.typeIndex.set(event.type, type)
    }
    const id = eventIdOf(event)
    if (id !== undefined) {
      const k = this.seenIds.get(id)
      const seen = this.seen
      if (k !== undefined) {
        const first = { type: this.types[seen.types[k]].name, version: seen.versions[k], position: seen.positions[k] }
        raised = this.add(event, `duplicate eventId ${id}: ${first.type} ${label(first)} and ${event.type} ${label(event)}`, raised)
      } else {
        this.seenIds.set(id, seen.types.length)
        seen.types.push(type)
        seen.versions.push(event.version)
        seen.positions.push(event.position)
      }
    }
    const previous = this.previous
    if (previous !== undefined) {
      if (event.version !== undefined && previous.version !== undefined) {
        if (event.version === previous.version) raised = this.add(event, `version ${event.version} repeats (positions ${previous.position} and ${event.position})`, raised)
        else if (event.version < previous.version) {
          this.wentBack.version = true
          raised = this.add(event, `version goes back from ${previous.version} to ${event.version} at position ${event.position}`, raised)
        }
        else if (event.version > previous.version + 1) raised = this.add(event, `version gap: ${previous.version} is followed by ${event.version} (missing ${previous.version + 1}${event.version - previous.version > 2 ? `..${event.version - 1}` : ''})`, raised)
      }
      if (event.time !== '' && previous.time !== '' && compareTimes(event.time, previous.time) < 0) {
        this.wentBack.time = true
        raised = this.add(event, `time goes backwards at ${label(event)}: ${event.time} is before ${previous.time}`, raised)
      }
    }
    if (this.reducer !== undefined) {
      const handled = this.types[type].handled
      if (!handled) this.ignored.set(event.type, (this.ignored.get(event.type) ?? 0) + 1)
      this.ignoredLast = !handled
    }
    if (previous === undefined) this.previous = { version: event.version, position: event.position, time: event.time }
    else {
      previous.version = event.version
      previous.position = event.position
      previous.time = event.time
    }
    return raised
  }

  /** All warnings, with ignored types counted once per type at the end. */
  summary(): string[] {
    const ignored = [...this.ignored].map(([type, n]) => `the reducer ignores ${type} (${n} event${n === 1 ? '' : 's'})`)
    return [...this.warnings, ...ignored]
  }
}
