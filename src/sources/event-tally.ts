import type { Event } from '../events/event.js'
import type { TypeVersionCount } from './source.js'
import { compareTimes } from '../events/time.js'

/** Counts what `inspect` reports for sources that must be read through (files, Kafka topics). */
export class EventTally {
  events = 0
  firstPosition: number | string | null = null
  lastPosition: number | string | null = null
  firstTime: string | null = null
  lastTime: string | null = null
  private readonly streamIds = new Set<string>()
  private readonly byType = new Map<string, TypeVersionCount>()

  add(e: Event): void {
    this.events++
    this.streamIds.add(e.stream)
    this.firstPosition ??= e.position
    this.lastPosition = e.position
    if (e.time !== '') {
      if (this.firstTime === null || compareTimes(e.time, this.firstTime) < 0) this.firstTime = e.time
      if (this.lastTime === null || compareTimes(e.time, this.lastTime) > 0) this.lastTime = e.time
    }
    const key = `${e.type}\u0000${e.schemaVersion}`
    const entry = this.byType.get(key) ?? { type: e.type, schemaVersion: e.schemaVersion, count: 0 }
    entry.count++
    this.byType.set(key, entry)
  }

  get streams(): number {
    return this.streamIds.size
  }

  get types(): TypeVersionCount[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type) || a.schemaVersion - b.schemaVersion)
  }
}
