// openTimeline with its folding thread for real: the compiled thread in dist/ (npm run build, or
// tsc, comes before the tests), on real SQLite files. Each way of opening must give the timeline
// that reading and folding in this thread gives.
import Database from 'better-sqlite3'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../../test/helpers.js'
import { loadReducer, type Reducer } from '../fold/reducer.js'
import { openSource } from '../sources/open.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import type { StateTimeline } from './state-timeline.js'
import { prestartFoldingThread } from './folding-thread.js'
import { openTimeline, type OpenedTimeline, type TimelineOptions } from './timeline-thread.js'

const WORKER = new URL(`file://${join(ROOT, 'dist', 'src', 'ui', 'timeline-worker.js')}`)

const REDUCER = `export default {
  init: () => ({ balance: 0, count: 0 }),
  on: {
    Opened: (s, e) => ({ ...s, owner: e.data.owner }),
    Deposited: (s, e) => ({ ...s, balance: s.balance + e.data.amount, count: s.count + 1, last: e.meta.eventId }),
    Withdrawn: (s, e) => ({ ...s, balance: s.balance - e.data.amount, count: s.count + 1 }),
  },
}
`

interface Row {
  stream: string
  version: number | null
  type: string | Buffer
  data: unknown
  meta: unknown
  time: unknown
}

/** An account of `count` events with a duplicate eventId, a version gap and time going back once. */
function accountRows(count: number, stream = 'acc-1'): Row[] {
  return Array.from({ length: count }, (_, i): Row => ({
    stream,
    version: i + 1 + (i >= 2000 ? 1 : 0),
    type: i === 0 ? 'Opened' : i % 3 === 2 ? 'Withdrawn' : i % 97 === 5 ? 'Noted' : 'Deposited',
    data: i === 0 ? '{"owner": "Ada \\u00e9"}' : JSON.stringify({ amount: (i % 50) + 1, note: `n-${i}` }),
    meta: JSON.stringify({ eventId: i === 1500 ? 'e-700' : `e-${i}` }),
    time: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000 - (i === 2500 ? 3_600_000 : 0)).toISOString().replace('T', ' ').replace('Z', ''),
  }))
}

/** The rows of acc-1 after one event of another stream; `extra`: SQL run once they are in. */
function writeStore(rows: Row[], extra = ''): string {
  const file = join(tempDir(), 'store.db')
  const db = new Database(file)
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, event_type TEXT, event_data, metadata TEXT, created_at);
    CREATE INDEX events_stream ON events (stream_id, version)`)
  const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
  db.transaction(() => {
    insert.run('other', 1, 'Opened', '{"owner":"someone"}', '{}', '2025-12-31 00:00:00')
    for (const r of rows) insert.run(r.stream, r.version, r.type, r.data, r.meta, r.time)
  })()
  db.exec(extra)
  db.close()
  return file
}

function writeModule(name: string, text: string): string {
  const file = join(tempDir(), name)
  writeFileSync(file, text)
  return file
}

async function open(store: string, reducerFile: string, extra: Partial<TimelineOptions> = {}, threaded = true): Promise<OpenedTimeline> {
  const source = new SqliteSource(store)
  try {
    const reducer = await loadReducer(reducerFile)
    const upcasters = await loadUpcasters(extra.files?.upcasters)
    const options: TimelineOptions = { source, stream: 'acc-1', reducer, upcasters, start: {}, ...extra }
    if (threaded) return await openTimeline({ files: { reducer: reducerFile }, workerUrl: WORKER, ...options }).opened
    return await openTimeline(options).opened
  } finally {
    await source.close()
  }
}

/** Everything the view reads of a timeline. */
function shape(t: StateTimeline, reducer?: Reducer) {
  const picks = [0, 1, 255, 256, 1023, 1024, 1500, t.length - 2, t.length - 1].filter((i) => i >= 0 && i < t.length)
  return {
    length: t.length,
    events: Array.from({ length: t.length }, (_, i) => t.event(i)),
    states: picks.map((i) => t.stateAfter(i)),
    changes: picks.map((i) => t.transition(i).changes),
    warnings: [...t.warnings],
    ignored: [...t.ignored],
    summary: t.summary,
    flagged: t.flagged,
    stats: t.stats,
    searches: ['e-700', 'withdrawn', 'ada é', 'n-2999', 'nothing-like-it'].map((q) => [t.search(q, t.length - 1, 1), t.search(q, 0, -1)]),
    reducer: reducer?.name,
  }
}

describe('openTimeline in a thread', () => {
  const reducerFile = writeModule('reducer.mjs', REDUCER)

  it('folds stored pages sent from this thread: the same timeline as folding here', async () => {
    const store = writeStore(accountRows(3000))
    const threaded = await open(store, reducerFile)
    expect(threaded.how).toBe('pages')
    const here = await open(store, reducerFile, {}, false)
    expect(here.how).toBe('here')
    expect(shape(threaded.timeline)).toEqual(shape(here.timeline))
    expect(threaded.timeline.summary).toEqual(expect.arrayContaining([expect.stringMatching(/^duplicate eventId e-700/), expect.stringMatching(/^version gap: 2000/), expect.stringMatching(/^time goes backwards at v2502/), expect.stringMatching(/^the reducer ignores Noted/)]))
    expect(threaded.timeline.stateAfter(threaded.timeline.length - 1)).toMatchObject({ owner: 'Ada é', last: 'e-2998' })
  })

  it('has the thread make each page’s search text: search finds what searching every event finds', async () => {
    const store = writeStore(accountRows(10_000))
    const threaded = await open(store, reducerFile)
    // Ten pages: two batches of search texts.
    expect(await threaded.searchTexts).toBe(10)
    const here = (await open(store, reducerFile, {}, false)).timeline
    const t = threaded.timeline
    for (const needle of ['n-9998', 'n-5000', 'e-700', 'ada é', 'withdrawn', '2026-01-01', 'nothing-like-it']) {
      for (const from of [0, 4321, t.length - 1]) {
        expect([needle, from, t.search(needle, from, 1), t.search(needle, from, -1)]).toEqual([needle, from, here.search(needle, from, 1), here.search(needle, from, -1)])
      }
    }
    expect(t.search('2026-01-01', 0, 1)).toBeUndefined() // in every page's times, in no event's type, data or metadata
  })

  it('folds in a thread started before it knew what to fold (as bin/run.js starts one), or in a new one when that one is gone', async () => {
    const store = writeStore(accountRows(3000))
    const here = shape((await open(store, reducerFile, {}, false)).timeline)
    const early = prestartFoldingThread(WORKER)!
    const ended = new Promise((resolve) => early.once('exit', () => resolve('ended')))
    const threaded = await open(store, reducerFile)
    expect(threaded.how).toBe('pages')
    expect(shape(threaded.timeline)).toEqual(here)
    // The view ends the thread it folded in: this one, not one of its own.
    expect(await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000))])).toBe('ended')

    const gone = prestartFoldingThread(WORKER)!
    await gone.terminate()
    const again = await open(store, reducerFile)
    expect([again.how, shape(again.timeline)]).toEqual(['pages', here])
  })

  it('starts where --version, --at and --stop-when say, as the view does when it folds itself', async () => {
    const store = writeStore(accountRows(3000))
    for (const start of [{ version: 1200 }, { at: '2026-01-02T05:00:00.000Z' }, { stopWhen: 'state.balance > 20000' }]) {
      const threaded = await open(store, reducerFile, { start })
      const here = await open(store, reducerFile, { start }, false)
      expect([threaded.start, threaded.initial]).toEqual([here.start, here.initial])
      expect(threaded.start).toBeGreaterThan(0)
    }
  })

  it('reads a store with a BLOB type, or with positions out of version order, by decoding rows in the thread', async () => {
    const blob = accountRows(1200)
    blob[600].type = Buffer.from(blob[600].type as string)
    const outOfOrder = accountRows(1200)
    ;[outOfOrder[10].version, outOfOrder[11].version] = [outOfOrder[11].version, outOfOrder[10].version]
    for (const rows of [blob, outOfOrder]) {
      const store = writeStore(rows)
      const threaded = await open(store, reducerFile)
      expect(threaded.how).toBe('store')
      expect(shape(threaded.timeline)).toEqual(shape((await open(store, reducerFile, {}, false)).timeline))
    }
  })

  it('upcasts in the thread', async () => {
    const store = writeStore(accountRows(1500))
    const upcasters = writeModule('upcasters.mjs', `export default [{ type: 'Deposited', from: 1, to: 2, up: (e) => ({ ...e, data: { ...e.data, amount: e.data.amount * 10 }, upcast: { by: 'test', from: 1 } }) }]`)
    const threaded = await open(store, reducerFile, { files: { reducer: reducerFile, upcasters } })
    expect(threaded.how).toBe('store')
    const here = await open(store, reducerFile, { files: { upcasters } }, false)
    expect(shape(threaded.timeline)).toEqual(shape(here.timeline))
    // A field the upcaster added comes through the thread's pages too.
    expect(threaded.timeline.event(1)).toMatchObject({ schemaVersion: 2, data: { amount: 20 }, upcast: { by: 'test', from: 1 } })
  })

  it('has the thread open another kind of source again (an NDJSON file) and fold it, as here', async () => {
    const file = join(tempDir(), 'events.ndjson')
    const rows = accountRows(2500)
    writeFileSync(file, rows.map((r, i) => JSON.stringify({ type: r.type, stream: r.stream, version: r.version, time: `${(r.time as string).replace(' ', 'T')}Z`, data: JSON.parse(r.data as string), meta: JSON.parse(r.meta as string), position: i + 1 })).join('\n'))
    const source = await openSource(file)
    try {
      const reducer = await loadReducer(reducerFile)
      const threaded = await openTimeline({ source, stream: 'acc-1', reducer, start: {}, files: { reducer: reducerFile }, recipe: { spec: file, options: {} }, workerUrl: WORKER }).opened
      const here = await openTimeline({ source, stream: 'acc-1', reducer, start: {} }).opened
      expect([threaded.how, here.how]).toEqual(['store', 'here'])
      expect(await threaded.searchTexts).toBe(3)
      expect(shape(threaded.timeline)).toEqual(shape(here.timeline))
      await expect(openTimeline({ source, stream: 'acc-l', reducer, start: {}, files: { reducer: reducerFile }, recipe: { spec: file, options: {} }, workerUrl: WORKER }).opened).rejects.toThrow(/no stream "acc-l"; did you mean acc-1/)
    } finally {
      await source.close()
    }
  })

  it('folds here when the state cannot be sent to this thread (a function in it)', async () => {
    const store = writeStore(accountRows(300))
    const withFunction = writeModule('fn-reducer.mjs', `export default { init: () => ({ n: 0, show() { return this.n } }), evolve: (s, e) => { s.n++; return s } }`)
    const threaded = await open(store, withFunction)
    expect(threaded.how).toBe('here')
    expect((threaded.timeline.stateAfter(299) as { n: number }).n).toBe(300)
  })

  it("keeps the user's errors: a bad row named by position, a reducer that throws, a stream that is not there", async () => {
    const bad = accountRows(1500)
    bad[1200].data = '{"amount": 5'
    await expect(open(writeStore(bad), reducerFile)).rejects.toThrow(/events row at position 1202: .*not valid JSON.*--skip-invalid/)
    const skipped: string[] = []
    const opened = await open(writeStore(bad), reducerFile, { skipInvalid: true, onWarning: (m) => skipped.push(m) })
    expect([opened.timeline.length, skipped.length]).toEqual([1499, 1])

    const throwing = writeModule('throwing.mjs', `export default (s = { n: 0 }, e) => { if (e.version === 1100) throw new Error('no such account'); return { n: s.n + 1 } }`)
    await expect(open(writeStore(accountRows(1500)), throwing)).rejects.toThrow(/no such account/)
    await expect(open(writeStore(accountRows(10)), reducerFile, { stream: 'acc-l' })).rejects.toThrow(/no stream "acc-l"; did you mean acc-1/)
  })

  it('reads the eventId of a column of its own into the metadata, as decoding does', async () => {
    const store = writeStore(accountRows(1100), 'ALTER TABLE events ADD COLUMN event_id TEXT; UPDATE events SET event_id = \'id-\' || id, metadata = NULL WHERE id % 2 = 0;')
    const source = new SqliteSource(store, { eventId: 'event_id' })
    try {
      const reducer = await loadReducer(reducerFile)
      const threaded = await openTimeline({ source, stream: 'acc-1', reducer, start: {}, files: { reducer: reducerFile }, workerUrl: WORKER }).opened
      const here = await openTimeline({ source, stream: 'acc-1', reducer, start: {} }).opened
      expect(threaded.how).toBe('pages')
      expect(shape(threaded.timeline)).toEqual(shape(here.timeline))
      // Rows with an even id lost their metadata: the column's eventId stands in.
      expect([threaded.timeline.event(0).meta, threaded.timeline.event(1).meta]).toEqual([{ eventId: 'id-2' }, { eventId: 'e-1' }])
      expect(threaded.timeline.search('id-2', threaded.timeline.length - 1, 1)?.index).toBe(0)
    } finally {
      await source.close()
    }
  })
})
