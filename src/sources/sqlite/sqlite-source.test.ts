import Database from 'better-sqlite3'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers.js'
import type { Event } from '../../events/event.js'
import { SqliteSource } from './sqlite-source.js'

async function readAll(source: SqliteSource, options = {}): Promise<Event[]> {
  const events: Event[] = []
  for await (const batch of source.batches(options)) events.push(...batch)
  return events
}

function store(schema: string, rows: unknown[][], insert: string): string {
  const file = join(tempDir(), 'store.db')
  const db = new Database(file)
  db.exec(schema)
  const statement = db.prepare(insert)
  for (const row of rows) statement.run(...row)
  db.close()
  return file
}

describe('SqliteSource presets', () => {
  it('reads the common hand-made events table (simple preset) with SQLite times and a text schema version', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, aggregate_id TEXT, event_type TEXT, event_data TEXT, created_at TEXT, schema_version TEXT, metadata TEXT)',
      [
        ['acc-1', 'Opened', '{"owner":"Ada"}', '2026-11-01 10:00:00', '1', '{"eventId":"e1"}'],
        ['acc-1', 'Deposited', '{"amount":5}', '2026-11-01 10:05:00.250', '2.0', null],
      ],
      'INSERT INTO events (aggregate_id, event_type, event_data, created_at, schema_version, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const source = new SqliteSource(file)
    expect(source.layout.preset).toBe('simple')
    const events = await readAll(source)
    expect(events).toEqual([
      { position: 1, stream: 'acc-1', version: undefined, type: 'Opened', schemaVersion: 1, time: '2026-11-01T10:00:00.000Z', data: { owner: 'Ada' }, meta: { eventId: 'e1' } },
      { position: 2, stream: 'acc-1', version: undefined, type: 'Deposited', schemaVersion: 2, time: '2026-11-01T10:05:00.250Z', data: { amount: 5 }, meta: {} },
    ])
  })

  it('accepts the variants: stream_id, type, payload as BLOB, epoch-millisecond timestamps, sequence; rowid when the id is a UUID', async () => {
    const file = store(
      'CREATE TABLE events (id TEXT PRIMARY KEY, stream_id TEXT, type TEXT, payload BLOB, timestamp INTEGER, sequence INTEGER)',
      [
        ['9b1d-a', 'order-1', 'OrderPlaced', Buffer.from('{"total":10}'), 1762164600123, 1],
        ['0a2c-b', 'order-1', 'OrderPaid', Buffer.from('{"paid":true}'), 1762164700, 2],
      ],
      'INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)',
    )
    const source = new SqliteSource(file)
    expect(source.layout.mapping).toMatchObject({ stream: 'stream_id', type: 'type', data: 'payload', time: 'timestamp', version: 'sequence', position: undefined })
    const events = await readAll(source)
    expect(events.map((e) => [e.position, e.version, e.time, e.data])).toEqual([
      [1, 1, '2025-11-03T10:10:00.123Z', { total: 10 }],
      [2, 2, '2025-11-03T10:11:40.000Z', { paid: true }],
    ])
  })

  it('takes a column mapping for any other table', async () => {
    const file = store(
      'CREATE TABLE journal (seq INTEGER PRIMARY KEY, entity TEXT, kind TEXT, body TEXT, at TEXT)',
      [['cart-9', 'ItemAdded', '{"sku":"X"}', '2026-11-01T09:00:00Z']],
      'INSERT INTO journal (entity, kind, body, at) VALUES (?, ?, ?, ?)',
    )
    const source = new SqliteSource(file, { table: 'journal', stream: 'entity', type: 'kind', data: 'body', time: 'at', position: 'seq' })
    expect(source.layout.preset).toBe('custom')
    expect(await readAll(source)).toMatchObject([{ position: 1, stream: 'cart-9', type: 'ItemAdded', data: { sku: 'X' }, time: '2026-11-01T09:00:00.000Z' }])
  })

  it('without a recognisable table, lists the tables found and the mapping flags', () => {
    const file = store('CREATE TABLE journal (seq INTEGER, body TEXT); CREATE TABLE users (id INTEGER)', [], 'SELECT 1')
    expect(() => new SqliteSource(file)).toThrow(/no events table I recognise \(tables found: journal, users\); name the table and columns with --table, --stream-column/)
  })

  it('names a mapped column that does not exist', () => {
    const file = store('CREATE TABLE journal (seq INTEGER, entity TEXT, kind TEXT, body TEXT)', [], 'SELECT 1')
    expect(() => new SqliteSource(file, { table: 'journal', stream: 'entity', type: 'kind', data: 'payload' })).toThrow(/table "journal" has no column "payload" \(columns: seq, entity, kind, body\)/)
  })

  it('names the row position of malformed JSON; skipInvalid turns it into a warning', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT, created_at TEXT)',
      [['a', 'T', '{"ok":1}', '2026-11-01 10:00:00'], ['a', 'T', '{"broken":', '2026-11-01 10:00:01'], ['a', 'T', '{"ok":3}', '2026-11-01 10:00:02']],
      'INSERT INTO events (stream_id, event_type, event_data, created_at) VALUES (?, ?, ?, ?)',
    )
    const source = new SqliteSource(file)
    await expect(readAll(source)).rejects.toThrow(/store\.db: events row at position 2: event_data\/metadata is not valid JSON .*--skip-invalid/)
    const warnings: string[] = []
    const events = await readAll(source, { skipInvalid: true, onWarning: (m: string) => warnings.push(m) })
    expect(events.map((e) => e.position)).toEqual([1, 3])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/row at position 2/)
  })

  it('reads only one stream, and a position range, in position order', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)',
      [['a', 'T', '{}'], ['b', 'T', '{}'], ['a', 'U', '{}'], ['a', 'V', '{}']],
      'INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)',
    )
    const source = new SqliteSource(file)
    expect((await readAll(source, { stream: 'a', untilPosition: 3 })).map((e) => e.type)).toEqual(['T', 'U'])
    expect((await source.similarStreams('A'))[0]).toBe('a')
  })

  it('never writes the store: the bytes and mtime are unchanged after reading', async () => {
    const file = store('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)', [['a', 'T', '{}']], 'INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)')
    const before = readFileSync(file)
    const mtime = statSync(file).mtimeMs
    const source = new SqliteSource(file)
    await readAll(source)
    await source.summarize()
    await source.close()
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(statSync(file).mtimeMs).toBe(mtime)
  })

  it('never creates a missing file, and says a non-SQLite file is not a database', () => {
    const dir = tempDir()
    const missing = join(dir, 'nope.db')
    expect(() => new SqliteSource(missing)).toThrow(/nope\.db: no such file/)
    expect(existsSync(missing)).toBe(false)
    const text = join(dir, 'notes.db')
    writeFileSync(text, 'these are my notes, not a database\n'.repeat(100))
    expect(() => new SqliteSource(text)).toThrow(/notes\.db: not a SQLite database/)
  })
})

describe('SqliteSource.ndjsonPages (tail --format ndjson)', () => {
  const ndjson = (source: SqliteSource, options = {}) => {
    let text = ''
    for (const page of source.ndjsonPages(options, 3)) {
      text += page.text
      if (page.error !== undefined) throw Object.assign(page.error, { printed: text })
    }
    return text
  }
  const lines = (text: string) => text.split('\n').filter((l) => l !== '')

  it('prints what JSON.stringify prints of each decoded event, whatever the columns hold', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id, version, event_type, event_data, metadata, created_at, schema_version, event_id)',
      [
        ['acc-1', 1, 'Opened', '{"owner":"Ada","tags":["a","b"]}', '{"correlationId":"c-1"}', '2026-11-01 10:00:00.250', null, 'e-1'],
        ['acc-1', 2, 'Deposited', '{"amount": 5}', '{ "eventId": "kept" }', '2026-11-01 10:00:01', '2', 'e-2'],
        ['acc-1', null, 'Note', Buffer.from('{"blob":true}'), '[1,2]', 1762164600123, 'v3', 7],
        ['acc-1', '4', 'Empty', '', null, '2026-11-01T12:00:00+02:00', 2.0, null],
        [42, 5, 'Numeric stream', '{}', '{}', null, null, null],
        ['acc-3', 8, 'Numeric data', 17, '{}', null, null, null],
        ['acc-3', Infinity, 'Infinite version', '{}', '{}', null, null, null],
        ['acc-"quoted"\n', 6, 'Type "x"', '"just a string"', '{"eventId":"own"}', '2026-11-01T09:00:00.000Z', 1, 'e-6'],
        ['acc-2', 7, 'Deep', '{"a":{"b":[{"c":null}]}}', '{"x":1}', '2026-11-01', null, 'e-7'],
      ],
      'INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at, schema_version, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const source = new SqliteSource(file, { eventId: 'event_id' })
    const expected = (await readAll(source)).map((e) => JSON.stringify(e))
    expect(expected).toHaveLength(9)
    expect(lines(ndjson(source))).toEqual(expected)
  })

  it('keeps stored JSON as stored: big integers keep their digits, escapes stay escaped', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)',
      [['a', 'T', '{"id":12345678901234567890,"s":"\\u00e9","n":1.50}']],
      'INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)',
    )
    const [line] = lines(ndjson(new SqliteSource(file)))
    expect(line).toContain('"data":{"id":12345678901234567890,"s":"\\u00e9","n":1.50}')
    expect(JSON.parse(line).data).toEqual({ id: 12345678901234567890, s: 'é', n: 1.5 })
  })

  it('names the position of a malformed row, or skips it with a warning, as batches does', async () => {
    const file = store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT, metadata TEXT)',
      [['a', 'T', '{"ok":1}', null], ['a', 'T', '{"ok":2}', '{"broken"'], ['a', 'T', '{"ok":3', null], ['a', 'T', '{"ok":4}', null]],
      'INSERT INTO events (stream_id, event_type, event_data, metadata) VALUES (?, ?, ?, ?)',
    )
    const source = new SqliteSource(file)
    expect(() => ndjson(source)).toThrow(/events row at position 2: event_data\/metadata is not valid JSON .*--skip-invalid/)
    // The lines before the bad row come with the error, so a caller can print them first.
    try {
      ndjson(source)
    } catch (error) {
      expect(lines((error as { printed: string }).printed).map((l) => JSON.parse(l).data.ok)).toEqual([1])
    }
    const warnings: string[] = []
    const text = ndjson(source, { skipInvalid: true, onWarning: (m: string) => warnings.push(m) })
    expect(lines(text).map((l) => JSON.parse(l).data.ok)).toEqual([1, 4])
    expect(warnings.map((w) => /position (\d+)/.exec(w)?.[1])).toEqual(['2', '3'])
  })

  it('pages through a range by position, with or without an index on it', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => [`s-${i % 3}`, 'T', `{"i":${i}}`])
    const indexed = new SqliteSource(store('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)', rows, 'INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)'))
    // A position column without an index: one sorted statement, cut into pages.
    const plain = new SqliteSource(
      store('CREATE TABLE journal (pos INTEGER, entity TEXT, kind TEXT, body TEXT)', rows.map((r, i) => [10 - i, ...r]), 'INSERT INTO journal VALUES (?, ?, ?, ?)'),
      { table: 'journal', position: 'pos', stream: 'entity', type: 'kind', data: 'body' },
    )
    // A stream read through an index on (stream, version): SQLite sorts by position.
    const sorted = new SqliteSource(store(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT, version INTEGER); CREATE INDEX by_stream ON events (stream_id, version)',
      rows.map((r, i) => [...r, 10 - i]), 'INSERT INTO events (stream_id, event_type, event_data, version) VALUES (?, ?, ?, ?)',
    ))
    const ids = (source: SqliteSource, options: object) => lines(ndjson(source, options)).map((l) => JSON.parse(l).data.i)
    expect(ids(sorted, { stream: 's-0' })).toEqual([0, 3, 6, 9])
    expect(ids(sorted, { stream: 's-1', fromPosition: 3 })).toEqual([4, 7])
    expect(ids(indexed, {})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(ids(indexed, { fromPosition: 3, belowPosition: 8 })).toEqual([2, 3, 4, 5, 6])
    expect(ids(indexed, { fromPosition: 8, untilPosition: 20 })).toEqual([7, 8, 9])
    expect(ids(plain, {})).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    expect(ids(plain, { fromPosition: 2, belowPosition: 5 })).toEqual([8, 7, 6])
  })
})

describe('SqliteSource.streamPages (state -i)', () => {
  const schema = 'CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, event_type TEXT, event_data TEXT, metadata TEXT, created_at TEXT)'
  const insert = 'INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)'
  const rows = Array.from({ length: 25 }, (_, i) => [i % 2 === 0 ? 'a' : 'b', Math.floor(i / 2) + 1, 'T', `{"i":${i}}`, i === 4 ? null : `{"eventId":"e${i}"}`, `2026-01-01 00:00:${String(i).padStart(2, '0')}`])

  it('gives one stream as pages of JSON that hold what decoding gives, by the index on (stream, version)', async () => {
    const file = store(`${schema}; CREATE INDEX s ON events (stream_id, version)`, rows, insert)
    const source = new SqliteSource(file)
    const pages = [...source.streamPages('a', 5)!]
    expect(pages.map((p) => p!.count)).toEqual([5, 5, 3])
    expect(pages.map((p) => p!.key)).toEqual([5, 10, 13])
    const { pageEvents } = await import('../../events/event-page.js')
    expect(pages.flatMap((p) => pageEvents(JSON.parse(p!.text), 'a')!)).toEqual(await readAll(source, { stream: 'a', withMeta: true }))
    expect(source.countStream('a')).toBe(13)
  })

  it('gives none where no index finds the stream (a whole-table scan per page), and a null page for a row it cannot write', async () => {
    const unindexed = new SqliteSource(store(schema, rows, insert))
    expect(unindexed.streamPages('a', 5)).toBeUndefined()
    const blobType = new SqliteSource(store(`${schema}; CREATE INDEX s ON events (stream_id, version)`, [...rows, ['a', 14, Buffer.from('T'), '{"i":99}', null, null]], insert))
    expect([...blobType.streamPages('a', 5)!].map((p) => p === null)).toEqual([false, false, true])
    // JSON in a BLOB is JSON all the same, as decoding reads it.
    const blobData = new SqliteSource(store(`${schema}; CREATE INDEX s ON events (stream_id, version)`, [...rows, ['a', 14, 'T', Buffer.from('{"i":99}'), null, null]], insert))
    const { pageEvents } = await import('../../events/event-page.js')
    expect([...blobData.streamPages('a', 5)!].flatMap((p) => pageEvents(JSON.parse(p!.text), 'a')!)).toEqual(await readAll(blobData, { stream: 'a', withMeta: true }))
  })
})
