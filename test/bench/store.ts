import Database from 'better-sqlite3'
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { seededRandom } from '../../src/demo/bank-events.js'

export const BENCH_EVENTS = 1_000_000
export const BENCH_STREAMS = 10_000
const LAYOUT_VERSION = 1

/** The floor's fold, as a rewind reducer: same work, same mutation style. */
const REDUCER = `export default {
  init: () => ({ balance: 0, events: 0 }),
  on: {
    AccountOpened: (s, e) => { s.owner = e.data.owner; s.events++; return s },
    MoneyDeposited: (s, e) => { s.balance += e.data.amount; s.events++; return s },
    MoneyWithdrawn: (s, e) => { s.balance -= e.data.amount; s.events++; return s },
  },
}
`

/**
 * A 1,000,000-event store in 10,000 streams (or as many as given) (simple preset, indexed by stream like real stores),
 * written once into the cache directory and reused by later runs.
 */
export async function ensureBenchStore(dir: string, log: (m: string) => void, streams = BENCH_STREAMS): Promise<{ store: string; reducer: string }> {
  const BENCH_STREAMS = streams
  const store = join(dir, `bench-${LAYOUT_VERSION}${streams === 10_000 ? '' : `-${streams}-streams`}.db`)
  const reducer = join(dir, 'bench-reducer.mjs')
  writeFileSync(reducer, REDUCER)
  if (existsSync(store)) return { store, reducer }
  log(`writing ${BENCH_EVENTS.toLocaleString('en-US')} events in ${BENCH_STREAMS.toLocaleString('en-US')} streams to ${store} (once)`)
  const partial = `${store}.partial`
  rmSync(partial, { force: true })
  const db = new Database(partial)
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.exec(`CREATE TABLE events (
    id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
    event_data TEXT NOT NULL, metadata TEXT NOT NULL, created_at TEXT NOT NULL)`)
  const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
  const random = seededRandom(42)
  const versions = new Uint32Array(BENCH_STREAMS)
  const start = Date.parse('2026-01-01T00:00:00Z')
  db.transaction(() => {
    for (let i = 0; i < BENCH_EVENTS; i++) {
      const s = Math.floor(random() * BENCH_STREAMS)
      const version = ++versions[s]
      const stream = `account-${s}`
      const type = version === 1 ? 'AccountOpened' : random() < 0.6 ? 'MoneyDeposited' : 'MoneyWithdrawn'
      const data = version === 1 ? { owner: `owner ${s}`, currency: 'EUR' } : { amount: 1 + Math.floor(random() * 500), currency: 'EUR', reference: `ref-${i}` }
      const time = new Date(start + i * 1000).toISOString().replace('T', ' ').replace('Z', '')
      insert.run(stream, version, type, JSON.stringify(data), JSON.stringify({ eventId: `e-${i}`, correlationId: `c-${i % 9973}` }), time)
    }
  })()
  db.exec('CREATE INDEX events_stream ON events (stream_id, version)')
  db.close()
  renameSync(partial, store)
  return { store, reducer }
}
