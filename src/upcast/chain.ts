import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'

/** Lifts one event type by one schema version; may rename (another type) or split (an array). */
export interface Upcaster {
  type: string
  from: number
  to: number
  up(event: Event): Event | Event[]
  /** Where it came from, for messages: "upcasters.ts #2 (OrderCreated v1->v2)". */
  label?: string
}

export const upcasterLabel = (u: Upcaster): string => u.label ?? `${u.type} v${u.from}->v${u.to}`

/** Thrown when an upcaster fails on an event; names both. */
export class UpcastError extends UserError {
  constructor(readonly upcaster: Upcaster, readonly event: Event, readonly reason: unknown) {
    super(`upcaster ${upcasterLabel(upcaster)} failed on event at position ${event.position} (${event.type} v${event.schemaVersion}, stream ${event.stream}): ${(reason as Error)?.message ?? String(reason)}`)
  }
}

const MAX_STEPS = 64

/** The upcasters as one function: an event in, its latest-version events out. */
export class UpcastChain {
  private readonly byKey = new Map<string, Upcaster>()
  readonly upcasters: Upcaster[]

  constructor(upcasters: Upcaster[]) {
    this.upcasters = upcasters
    for (const u of upcasters) {
      const key = `${u.type}\u0000${u.from}`
      const other = this.byKey.get(key)
      if (other !== undefined) throw new UserError(`two upcasters lift ${u.type} from v${u.from}: ${upcasterLabel(other)} and ${upcasterLabel(u)}`)
      this.byKey.set(key, u)
    }
  }

  get size(): number {
    return this.upcasters.length
  }

  /** The upcaster that applies to this type and version, if any. */
  next(type: string, schemaVersion: number): Upcaster | undefined {
    return this.byKey.get(`${type}\u0000${schemaVersion}`)
  }

  /** The highest `to` per type: the version its events should end at. */
  latestVersions(): Map<string, number> {
    const latest = new Map<string, number>()
    for (const u of this.upcasters) latest.set(u.type, Math.max(latest.get(u.type) ?? 0, u.to))
    return latest
  }

  /** Lifts an event through every applicable step. Returns [event] untouched when none applies. */
  apply(event: Event): Event[] {
    return this.applyWith(event, callUp)
  }

  /**
   * apply(), with each step run through `invoke` (the checks freeze or snapshot the step's input
   * and record what each upcaster returned).
   */
  applyWith(event: Event, invoke: (upcaster: Upcaster, input: Event) => Event | Event[]): Event[] {
    if (this.byKey.size === 0 || this.next(event.type, event.schemaVersion) === undefined) return [event]
    const out: Event[] = []
    const pending: Array<[Event, number]> = [[event, 0]]
    while (pending.length > 0) {
      const [current, steps] = pending.shift()!
      const upcaster = this.next(current.type, current.schemaVersion)
      if (upcaster === undefined) {
        out.push(current)
        continue
      }
      if (steps >= MAX_STEPS) throw new UpcastError(upcaster, event, new Error(`more than ${MAX_STEPS} steps: the upcasters form a loop`))
      let result: Event | Event[]
      try {
        result = invoke(upcaster, current)
      } catch (error) {
        throw new UpcastError(upcaster, current, error)
      }
      const lifted = Array.isArray(result) ? result : [result]
      for (const item of lifted) {
        if (item === null || typeof item !== 'object' || typeof item.type !== 'string') {
          throw new UpcastError(upcaster, current, new Error(`returned ${JSON.stringify(item)}, expected an event (or an array of events)`))
        }
        pending.push([{ ...item, schemaVersion: upcaster.to }, steps + 1])
      }
    }
    return out
  }
}

const callUp = (upcaster: Upcaster, input: Event): Event | Event[] => upcaster.up(input)

export const EMPTY_CHAIN = new UpcastChain([])
