import type { Event } from '../events/event.js'
import { pageEvents } from '../events/event-page.js'
import type { Direction, EventList } from './state-timeline.js'

/**
 * A stream's events held as pages of JSON text (EventPage, `size` events each but the
 * last), each parsed the first time one of its events is wanted. A thread hands a stream over this
 * way: parsing the pages the view shows costs a few milliseconds, where receiving every event as
 * an object would cost as much as reading the store.
 */
export class ChunkedEvents implements EventList {
  readonly length: number
  private readonly pages: Array<Event[] | undefined>
  /** Page texts, for search to look into. */
  private readonly texts: string[]
  /** Lower-case page texts, made by the first search; null for a page whose text cannot tell. */
  private readonly lowered: Array<string | null | undefined>

  /**
   * `decoded`: the entries are of decoded events (eventEntry). `verbatim`: the texts are the
   * stored JSON with nothing added when decoded (no separate eventId column), so that a page
   * whose text lacks a word has no event whose search text holds it (see skipWithout).
   */
  constructor(
    texts: string[],
    length: number,
    private readonly size: number,
    private readonly stream: string,
    private readonly options: { decoded: boolean; verbatim: boolean },
  ) {
    this.length = length
    this.texts = [...texts]
    this.pages = new Array(texts.length)
    this.lowered = new Array(texts.length)
  }

  /** Pages parsed so far. */
  get parsed(): number {
    return this.pages.reduce((n, page) => (page === undefined ? n : n + 1), 0)
  }

  at(index: number): Event {
    const k = Math.floor(index / this.size)
    return (this.pages[k] ?? this.parsePage(k))[index - k * this.size]
  }

  private parsePage(k: number): Event[] {
    const page = pageEvents(JSON.parse(this.texts[k]), this.stream, this.options.decoded)
    // The thread that sent the page read its events from it already.
    if (page === undefined) throw new Error(`page ${k} of ${this.stream} holds no events`)
    // The text stays: a search passes over the page by it until the page's search texts are made.
    this.pages[k] = page
    return page
  }

  /** The next page parse() looks at. */
  private next = 0

  parse(deadline: number): boolean {
    while (this.next < this.pages.length) {
      if (this.pages[this.next] === undefined) this.parsePage(this.next)
      this.next++
      if (performance.now() >= deadline) break
    }
    return this.next < this.pages.length
  }

  skipWithout(index: number, needle: string, direction: Direction): number | undefined {
    const k = Math.floor(index / this.size)
    if (!this.options.verbatim || !PLAIN_NEEDLE.test(needle)) return undefined
    let lower = this.lowered[k]
    if (lower === undefined) {
      // Escapes, and numbers JSON.stringify may spell otherwise (1e3, 0.0000001, 17 digits): no skipping.
      const text = this.texts[k]
      lower = this.lowered[k] = UNSURE_TEXT.test(text) ? null : text.toLowerCase()
    }
    if (lower === null || lower.includes(needle)) return undefined
    return direction === 1 ? Math.min(this.length, (k + 1) * this.size) - 1 : k * this.size
  }
}

/**
 * A needle that can only match inside one token of JSON (a string's characters, a number): one
 * with JSON's punctuation could match across tokens, where stored text and JSON.stringify differ
 * (spaces, key order).
 */
const PLAIN_NEEDLE = /^[^{}[\]:,"\\\u0000-\u001f]+$/
const UNSURE_TEXT = /\\|\d[\d.]{15}|\d[eE][+-]?\d|\.0{6}/
