import type { Event } from '../events/event.js'
import { toReducer, type Reducer } from '../fold/reducer.js'

/**
 * A synthetic bank account stream for the interactive view's tests and bench: an opening, then
 * deposits of 10, 20, 30, ... with a withdrawal of 25 every fifth event, one minute apart.
 */
export function accountEvents(count: number, stream = 'acc-1'): Event[] {
  const start = Date.parse('2026-01-01T00:00:00Z')
  return Array.from({ length: count }, (_, i): Event => ({
    position: 100 + i,
    stream,
    version: i + 1,
    type: i === 0 ? 'AccountOpened' : i % 5 === 4 ? 'MoneyWithdrawn' : 'MoneyDeposited',
    schemaVersion: 1,
    time: new Date(start + i * 60_000).toISOString(),
    data: i === 0 ? { owner: 'Ada' } : { amount: i % 5 === 4 ? 25 : 10 * i },
    meta: { eventId: `evt-${i + 1}` },
  }))
}

/** The balance after event `index` of accountEvents(). */
export function balanceAfter(events: readonly Event[], index: number): number {
  let balance = 0
  for (let i = 1; i <= index; i++) balance += events[i].type === 'MoneyWithdrawn' ? -25 : (events[i].data as { amount: number }).amount
  return balance
}

export const accountReducer = (): Reducer =>
  toReducer({
    init: () => ({ owner: null, balance: 0 }),
    on: {
      AccountOpened: (s: any, e: Event) => ({ ...s, owner: (e.data as any).owner }),
      MoneyDeposited: (s: any, e: Event) => ({ ...s, balance: s.balance + (e.data as any).amount }),
      MoneyWithdrawn: (s: any, e: Event) => ({ ...s, balance: s.balance - (e.data as any).amount }),
    },
  }, 'account reducer')
