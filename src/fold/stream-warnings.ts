import type { Event } from '../events/event.js'
import type { Reducer } from './reducer.js'

/** The id an event carries, under the names stores use for it. */
export function eventIdOf(event: Event): string | undefined {
  const meta = event.meta
  const id = meta.eventId ?? meta.event_id ?? meta.messageId ?? meta.id
  return id === undefined || id === null ? undefined : String(id)
}

/**
 * Watches one stream's events for what makes a fold untrustworthy: the same eventId twice,
 * version gaps or repeats, time going backwards, and types the reducer ignores (per type).
 */
export class StreamWarnings {
  readonly warnings: string[] = []
  /** Per event position, the warnings it raised (the interactive view marks rows with these). */
  readonly byPosition = new Map<string | number, string[]>()
  private readonly seenIds = new Map<string, Event>()
  private previous?: Event
  private readonly ignored = new Map<string, number>()

  constructor(private readonly reducer?: Reducer) {}

  private add(event: Event, message: string): void {
    this.warnings.push(message)
    const list = this.byPosition.get(event.position) ?? []
    list.push(message)
    this.byPosition.set(event.position, list)
  }

  observe(event: Event): void {
    const label = (e: Event) => (e.version === undefined ? `position ${e.position}` : `v${e.version} (position ${e.position})`)
    const id = eventIdOf(event)
    if (id !== undefined) {
      const first = this.seenIds.get(id)
      if (first !== undefined) this.add(event, `duplicate eventId ${id}: ${first.type} ${label(first)} and ${event.type} ${label(event)}`)
      else this.seenIds.set(id, event)
    }
    const previous = this.previous
    if (previous !== undefined) {
      if (event.version !== undefined && previous.version !== undefined) {
        if (event.version === previous.version) this.add(event, `version ${event.version} repeats (positions ${previous.position} and ${event.position})`)
        else if (event.version < previous.version) this.add(event, `version goes back from ${previous.version} to ${event.version} at position ${event.position}`)
        else if (event.version > previous.version + 1) this.add(event, `version gap: ${previous.version} is followed by ${event.version} (missing ${previous.version + 1}${event.version - previous.version > 2 ? `..${event.version - 1}` : ''})`)
      }
      if (event.time !== '' && previous.time !== '' && event.time < previous.time) {
        this.add(event, `time goes backwards at ${label(event)}: ${event.time} is before ${previous.time}`)
      }
    }
    if (this.reducer?.handles(event.type) === false) this.ignored.set(event.type, (this.ignored.get(event.type) ?? 0) + 1)
    this.previous = event
  }

  /** All warnings, with ignored types counted once per type at the end. */
  summary(): string[] {
    const ignored = [...this.ignored].map(([type, n]) => `the reducer ignores ${type} (${n} event${n === 1 ? '' : 's'})`)
    return [...this.warnings, ...ignored]
  }
}
