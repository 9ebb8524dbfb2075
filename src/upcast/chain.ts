import { UserError } from '../errors.js'
import { unqualifiedType, type Event } from '../events/event.js'

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
  /** type -> from -> upcaster: two lookups, no key strings built per event. */
  private readonly byType = new Map<string, Map<number, Upcaster>>()
  readonly upcasters: Upcaster[]
  /** The upcaster last called: the one running when Ctrl-C stops a fold. */
  current: Upcaster | undefined

  constructor(upcasters: Upcaster[]) {
    this.upcasters = upcasters
    for (const u of upcasters) {
      let byFrom = this.byType.get(u.type)
      if (byFrom === undefined) this.byType.set(u.type, (byFrom = new Map()))
      const other = byFrom.get(u.from)
      if (other !== undefined) throw new UserError(`two upcasters lift ${u.type} from v${u.from}: ${upcasterLabel(other)} and ${upcasterLabel(u)}`)
      byFrom.set(u.from, u)
    }
  }

  get size(): number {
    return this.upcasters.length
  }

  /** The upcaster that applies to this type and version, if any. */
  next(type: string, schemaVersion: number): Upcaster | undefined {
    const byFrom = this.byType.get(type) ?? this.byShortName(type)
    return byFrom?.get(schemaVersion)
  }

  /** Upcasters written for `Account.Opened` lift `crm:Account.Opened` too, unless one names it whole. */
  private byShortName(type: string): Map<number, Upcaster> | undefined {
    const short = unqualifiedType(type)
    return short === undefined ? undefined : this.byType.get(short)
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
   * and record what each upcaster returned). A split's events come out in the order returned.
   */
  applyWith(event: Event, invoke: (upcaster: Upcaster, input: Event) => Event | Event[]): Event[] {
    const first = this.byType.size === 0 ? undefined : this.next(event.type, event.schemaVersion)
    if (first === undefined) return [event]
    const out: Event[] = []
    this.lift(event, first, 0, event, invoke, out)
    return out
  }

  private lift(current: Event, upcaster: Upcaster | undefined, steps: number, origin: Event, invoke: (upcaster: Upcaster, input: Event) => Event | Event[], out: Event[]): void {
    // A linear chain of single events is the common case: loop; recurse only for a split.
    while (upcaster !== undefined) {
      if (steps >= MAX_STEPS) throw new UpcastError(upcaster, origin, new Error(`more than ${MAX_STEPS} steps: the upcasters form a loop`))
      let result: Event | Event[]
      this.current = upcaster
      try {
        result = invoke(upcaster, current)
      } catch (error) {
        throw new UpcastError(upcaster, current, error)
      }
      steps++
      if (Array.isArray(result)) {
        for (const item of result) {
          const lifted = this.checked(item, upcaster, current)
          this.lift(lifted, this.next(lifted.type, lifted.schemaVersion), steps, origin, invoke, out)
        }
        return
      }
      current = this.checked(result, upcaster, current)
      upcaster = this.next(current.type, current.schemaVersion)
    }
    out.push(current)
  }

  /** The tool, not the upcaster, sets schemaVersion; anything but an event is the upcaster's bug. */
  private checked(item: Event, upcaster: Upcaster, input: Event): Event {
    if (item === null || typeof item !== 'object' || typeof item.type !== 'string') {
      throw new UpcastError(upcaster, input, new Error(`returned ${JSON.stringify(item)}, expected an event (or an array of events)`))
    }
    return { ...item, schemaVersion: upcaster.to }
  }
}

const callUp = (upcaster: Upcaster, input: Event): Event | Event[] => upcaster.up(input)

export const EMPTY_CHAIN = new UpcastChain([])
