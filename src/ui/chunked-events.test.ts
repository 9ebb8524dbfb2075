import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers.js'
import type { Event } from '../events/event.js'
import { eventPage, pageEvents } from '../events/event-page.js'
import { mergeReducer } from '../fold/reducer.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { ChunkedEvents, pageSearchTexts } from './chunked-events.js'
import { readStream, StateTimeline, TimelineFold } from './state-timeline.js'

const SIZE = 8

/** Stored JSON that JSON.stringify spells otherwise: spaces, escapes, exponents, long numbers, key order. */
const TRICKY = [
  '{"note": "spaced out"}',
  '{"name":"caf\\u00e9 cr\\u00e8me"}',
  '{"amount":1e3}',
  '{"rate":0.0000001}',
  '{"id":12345678901234567890}',
  '{"price":123456789.12345678}',
  '{"b":1,"2":"two","a":"key order"}',
  '{"path":"a\\/b"}',
]

function trickyStore(): string {
  const file = join(tempDir(), 'tricky.db')
  const db = new Database(file)
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, event_type TEXT, event_data TEXT, metadata TEXT, created_at TEXT); CREATE INDEX s ON events (stream_id, version)')
  const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
  for (let i = 0; i < 80; i++) {
    const data = i % 10 === 3 ? TRICKY[Math.floor(i / 10)] : JSON.stringify({ n: i, word: `w${i}` })
    insert.run('s-1', i + 1, i % 7 === 0 ? 'Renamed' : 'Counted', data, JSON.stringify({ eventId: `id-${i}` }), `2026-01-01 00:00:${String(i % 60).padStart(2, '0')}`)
  }
  db.close()
  return file
}

async function timelines(): Promise<{ chunked: () => { timeline: StateTimeline; events: ChunkedEvents }; inMemory: StateTimeline; texts: string[] }> {
  const source = new SqliteSource(trickyStore())
  const texts = [...source.streamPages('s-1', SIZE)!].map((page) => page!.text)
  const events = await readStream(source, 's-1')
  await source.close()
  const inMemory = new StateTimeline(events, mergeReducer)
  const fold = new TimelineFold(mergeReducer)
  for (const event of events) fold.add(event)
  const parts = fold.parts()
  return {
    chunked: () => {
      const list = new ChunkedEvents(texts, events.length, SIZE, 's-1', { decoded: false, verbatim: true })
      return { timeline: new StateTimeline(list, mergeReducer, parts), events: list }
    },
    inMemory,
    texts,
  }
}

describe('ChunkedEvents', () => {
  it('gives the events decoding gives, parsing only the pages asked for', async () => {
    const { chunked, inMemory } = await timelines()
    const { timeline, events } = chunked()
    expect(timeline.event(79)).toEqual(inMemory.event(79))
    expect(events.parsed).toBe(1)
    expect(Array.from({ length: 80 }, (_, i) => timeline.event(i))).toEqual(Array.from({ length: 80 }, (_, i) => inMemory.event(i)))
    expect(timeline.transition(42)).toEqual(inMemory.transition(42))
  })

  it('finds what a search of every event finds, though it passes over pages whose text lacks the words', async () => {
    const { chunked, inMemory } = await timelines()
    const needles = ['w77', 'W5', 'id-3', 'renamed', 'spaced out', 'café', 'crème', '1000', '1e3', 'e-7', '1e-7', '0.0000001', '1234567890123456', '12345678901234567000', '123456789.1234568', '"a":"key order"', 'key order', 'a/b', '"note":"spaced', 'nothing']
    for (const needle of needles) {
      for (const [from, direction] of [[79, 1], [0, -1], [40, 1], [40, -1]] as const) {
        const { timeline } = chunked()
        expect([needle, from, direction, timeline.search(needle, from, direction)]).toEqual([needle, from, direction, inMemory.search(needle, from, direction)])
      }
    }
    const { timeline, events } = chunked()
    expect(timeline.search('w77', 79, 1)).toEqual({ index: 77, wrapped: true })
    // Of 10 pages, parsed: the one with the hit and the five whose text it cannot vouch for (escapes, 1e3, long numbers).
    expect(events.parsed).toBe(6)
  })

  it('finds the same with the search texts the folding thread makes, going straight to the events they show', async () => {
    const { chunked, inMemory, texts } = await timelines()
    const searchTexts = () => texts.map((text) => pageSearchTexts(pageEvents(JSON.parse(text), 's-1')!))
    const needles = ['w77', 'W5', 'id-3', 'renamed', 'spaced out', 'café', '1e3', '12345678901234567000', 'key order', '"a":"key order"', '{"n":7,', '"word":"w1', 'a/b', '2026-01-01', 'nothing']
    for (const needle of needles) {
      for (const [from, direction] of [[79, 1], [0, -1], [40, 1], [40, -1], [72, 1], [71, -1]] as const) {
        const { timeline, events } = chunked()
        events.takeSearchTexts(0, searchTexts())
        expect([needle, from, direction, timeline.search(needle, from, direction)]).toEqual([needle, from, direction, inMemory.search(needle, from, direction)])
      }
    }
    // No page is parsed to search, for any needle: by page texts, a time or JSON punctuation has every page parsed.
    const { timeline, events } = chunked()
    events.takeSearchTexts(0, searchTexts())
    expect([timeline.search('2026-01-01', 0, 1), timeline.search('"n":77', 0, 1), events.parsed]).toEqual([undefined, { index: 77, wrapped: false }, 0])
    const { timeline: byPages, events: allParsed } = chunked()
    expect([byPages.search('"n":77', 0, 1), allParsed.parsed]).toEqual([{ index: 77, wrapped: false }, 10])
    // The search goes by them: page 9's texts given as page 0's send it to page 0.
    const { timeline: misled, events: misledEvents } = chunked()
    const swapped = searchTexts()
    misledEvents.takeSearchTexts(0, [swapped[9], ...swapped.slice(1, 9), swapped[0]])
    expect(misled.search('w77', 40, 1)).toEqual({ index: 5, wrapped: true })
  })

  it('passes over no page when the text is not the stored JSON as it is (an eventId from a column of its own)', async () => {
    const page = (events: Event[]) => JSON.stringify(eventPage(events))
    const event = (i: number): Event => ({ position: i + 1, stream: 's', version: i + 1, type: 'T', schemaVersion: 1, time: '2026-01-01T00:00:00.000Z', data: { i }, meta: {} })
    const list = new ChunkedEvents([page([event(0), event(1)]), page([event(2)])], 3, 2, 's', { decoded: true, verbatim: false })
    expect(list.skipWithout(0, 'anything', 1)).toBeUndefined()
    const verbatim = new ChunkedEvents([page([event(0), event(1)]), page([event(2)])], 3, 2, 's', { decoded: true, verbatim: true })
    expect([verbatim.skipWithout(0, 'anything', 1), verbatim.skipWithout(2, 'anything', -1), verbatim.skipWithout(0, '"i":0', 1)]).toEqual([1, 2, undefined])
  })
})

describe('spelledAsStringified', () => {
  it('says no to text JSON.stringify may spell otherwise, and yes to the rest', async () => {
    const { spelledAsStringified } = await import('./chunked-events.js')
    for (const text of ['{"a":"caf\\u00e9"}', '{"n":1e3}', '{"n":2E-7}', '{"n":0.0000001}', '{"n":1234567890123456}', '{"v":"1.2.3.4.5.6.7.8.9"}', '{"n":123456789.1234567}']) {
      expect([text, spelledAsStringified(text)]).toEqual([text, false])
    }
    for (const text of ['{"n":123456789012345}', '{"n":0.000001}', '{"ref":"e-50000","t":"2026-01-01T00:00:00.000Z"}', '{"word":"1e","x":"e5"}', '[1.5,-2,3e]']) {
      expect([text, spelledAsStringified(text)]).toEqual([text, true])
    }
  })
})
