/** A deterministic bank: the same events on every machine, so the README's output is real. */

export interface DemoEventRow {
  stream: string
  version: number
  type: string
  schemaVersion: number
  time: string
  data: Record<string, unknown>
  meta: Record<string, unknown>
}

/** mulberry32: small, fast, and the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const OWNERS = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Margaret Hamilton', 'Ken Thompson', 'Frances Allen', 'John Backus', 'Radia Perlman', 'Leslie Lamport']

export const DEMO_START = Date.parse('2026-11-02T08:00:00Z')
const DAY = 86_400_000

/** The account whose deposit of 117 was appended twice with the same eventId. */
export const DUPLICATED_ACCOUNT = 'acc-07'
export const DUPLICATED_AMOUNT = 117

/**
 * 12 accounts over 5 days. Schemas change on the way: deposits gain a currency (v2) and then
 * an amount object (v3); FundsWithdrawn is renamed MoneyWithdrawn (v2). StatementSent is an
 * event the reducer ignores.
 */
export function demoEvents(): DemoEventRow[] {
  const random = seededRandom(20261102)
  const events: Array<DemoEventRow & { at: number }> = []
  let request = 1000
  const meta = (correlation?: string) => {
    request++
    const id = `evt-${request.toString(36)}-${Math.floor(random() * 1e9).toString(36).padStart(6, '0')}`
    return { eventId: id, correlationId: correlation ?? `req-${request}`, userId: `user-${1 + Math.floor(random() * 5)}` }
  }
  OWNERS.forEach((owner, i) => {
    const stream = `acc-${String(i + 1).padStart(2, '0')}`
    const usd = i >= 10 // opened on day 3, after multi-currency arrived
    let at = DEMO_START + (usd ? 2 * DAY : 0) + i * 7 * 60_000
    let version = 0
    let balance = 0
    const push = (type: string, schemaVersion: number, data: Record<string, unknown>, m = meta()) => {
      version++
      events.push({ stream, version, type, schemaVersion, time: '', at, data, meta: m })
    }
    push('AccountOpened', 1, { owner, currency: usd ? 'USD' : 'EUR' })
    const operations = 24 + Math.floor(random() * 12)
    for (let k = 0; k < operations; k++) {
      at += Math.floor(random() * (usd ? 3 : 7) * 3_600_000) + 60_000
      if (at >= DEMO_START + 5 * DAY) break
      const day = Math.floor((at - DEMO_START) / DAY)
      const planted = stream === DUPLICATED_ACCOUNT && k === 12
      const deposit = planted || balance < 200 || random() < 0.55
      const amount = deposit ? 20 + Math.floor(random() * 480) : Math.min(balance, 10 + Math.floor(random() * 250))
      if (deposit) {
        const value = planted ? DUPLICATED_AMOUNT : amount
        balance += value
        if (day < 2) push('MoneyDeposited', 1, { amount: value })
        else if (day < 3) push('MoneyDeposited', 2, { amount: value, currency: usd ? 'USD' : 'EUR' })
        else push('MoneyDeposited', 3, { amount: { value, currency: usd ? 'USD' : 'EUR' } })
        if (planted) {
          // The application retried the append: same event, same eventId, next version.
          const last = events[events.length - 1]
          at += 40
          version++
          events.push({ ...last, version, at, meta: { ...last.meta } })
          balance += value
        }
      } else if (amount > 0) {
        balance -= amount
        if (day < 2) push('FundsWithdrawn', 1, { amount })
        else push('MoneyWithdrawn', 2, { amount })
      }
      if (k % 10 === 9) push('StatementSent', 1, { period: `2026-11-0${2 + day}` })
    }
  })
  events.sort((a, b) => a.at - b.at || a.stream.localeCompare(b.stream) || a.version - b.version)
  return events.map(({ at, ...event }) => ({ ...event, time: new Date(at).toISOString() }))
}
