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

  constructor(private readonly reducer: string, private readonly upcasters?: UpcastChain) {}

  /** A stored event goes into the upcasters. */
  lifting(event: Event): void {
    this.event = event
    this.upcasting = true
  }

  /** An event goes into the reducer. */
  folding(event: Event): void {
    this.event = event
    this.upcasting = false
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
