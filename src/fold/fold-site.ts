import { describeEvent } from '../events/describe-event.js'
import type { Event } from '../events/event.js'
import { upcasterLabel, type UpcastChain } from '../upcast/chain.js'

/**
 * What a fold's user code is working on, noted per event (two stores, no string made) so that
 * the line printed when Ctrl-C stops it can name the module and the event.
 */
export class FoldSite {
  private event: Event | undefined
  private upcasting = false

  /**
   * `shared`: memory the main thread reads when a worker thread is stopped (it cannot ask a
   * thread that loops): [position of the stored event, 1 while upcasting].
   */
  constructor(private readonly reducer: string, private readonly upcasters?: UpcastChain, private readonly shared?: Float64Array) {}

  /** A stored event goes into the upcasters. */
  lifting(event: Event): void {
    this.event = event
    this.upcasting = true
    if (this.shared !== undefined) this.note(event, 1)
  }

  /** An event goes into the reducer. */
  folding(event: Event): void {
    this.event = event
    this.upcasting = false
    if (this.shared !== undefined) this.note(event, 0)
  }

  private note(event: Event, upcasting: number): void {
    this.shared![0] = typeof event.position === 'number' ? event.position : NaN
    this.shared![1] = upcasting
  }

  /** "reducer.ts was folding event at position 7 (Deposited, acc-1 v2)" */
  readonly doing = (): string => {
    const event = this.event
    if (event === undefined) return `${this.reducer} was making its initial state`
    const upcaster = this.upcasters?.current
    if (this.upcasting && upcaster !== undefined) return `upcaster ${upcasterLabel(upcaster)} was lifting ${describeEvent(event)}`
    return `${this.reducer} was folding ${describeEvent(event)}`
  }
}
