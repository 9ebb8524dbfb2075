import type { Event } from './event.js'

/** How messages name an event: "event at position 12 (MoneyDeposited, acc-1 v3)". */
export const describeEvent = (event: Event): string =>
  `event at position ${event.position} (${event.type}, ${event.stream}${event.version === undefined ? '' : ` v${event.version}`})`
