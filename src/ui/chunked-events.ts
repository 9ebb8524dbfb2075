import type { Event } from '../events/event.js'
import { pageEvents } from '../events/event-page.js'
import { eventSearchText, type Direction, type EventList } from './state-timeline.js'

/** A page's search texts (eventSearchText of each event), one string: event i's is text.slice(starts[i], starts[i + 1] - 1). */
export interface PageSearchTexts {
  text: string
  starts: Int32Array
}

/** The search texts of a page's events, as the folding thread makes them once the view is open. */
export function pageSearchTexts(events: readonly Event[]): PageSearchTexts {
  const texts = events.map(eventSearchText)
  const starts = new Int32Array(texts.length + 1)
  for (let i = 0; i < texts.length; i++) starts[i + 1] = starts[i] + texts[i].length + 1
  return { text: texts.join('\n'), starts }
}

/** The event whose search text holds offset `at` of a page's (the last start at or before it). */
function eventAt(starts: Int32Array, at: number): number {
  let low = 0
  let high = starts.length - 1
  while (high - low > 1) {
    const mid = (low + high) >>> 1
    if (starts[mid] <= at) low = mid
    else high = mid
  }
  return low
}

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
  /** Per page, its events' search texts, from the folding thread once the view is open (see skipWithout). */
  private readonly searchTexts: Array<PageSearchTexts | undefined>
  /** Until then, per page, its text in lower case, made when a search needs it; null for a page whose text cannot tell. */
  private readonly lowered: Array<string | null | undefined>

  /**
   * `decoded`: the pages are of decoded events (eventPage). `verbatim`: the texts are the
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
    this.texts = texts
    this.pages = new Array(texts.length)
    this.searchTexts = new Array(texts.length)
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
    if (this.unparsed > 0) this.unparsed--
    return page
  }

  /** The last page found to maybe hold a needle (see skipWithout). */
  private holds = { page: -1, needle: '' }

  /** Pages prepare() has yet to parse. */
  private unparsed = -1

  /** Parses pages until `deadline`, nearest to event `near` first (where the user is, keys go). */
  prepare(deadline: number, near = 0): boolean {
    if (this.unparsed === -1) this.unparsed = this.pages.length - this.parsed
    const home = Math.min(this.pages.length - 1, Math.max(0, Math.floor(near / this.size)))
    for (let distance = 0; this.unparsed > 0 && distance < this.pages.length; distance++) {
      for (const k of distance === 0 ? [home] : [home + distance, home - distance]) {
        if (k < 0 || k >= this.pages.length || this.pages[k] !== undefined) continue
        this.parsePage(k)
        if (performance.now() >= deadline) return this.unparsed > 0
      }
    }
    return this.unparsed > 0
  }

  /** The search texts of pages `from` on, made by the folding thread. */
  takeSearchTexts(from: number, pages: PageSearchTexts[]): void {
    pages.forEach((page, i) => (this.searchTexts[from + i] = page))
  }

  /** An event's search text, when its page's have come (the timeline makes it otherwise). */
  searchTextAt(index: number): string | undefined {
    const k = Math.floor(index / this.size)
    const page = this.searchTexts[k]
    if (page === undefined) return undefined
    const i = index - k * this.size
    return page.text.slice(page.starts[i], page.starts[i + 1] - 1)
  }

  /** A page's text in lower case, for search to look into; null when it cannot tell (see spelledAsStringified). */
  private lowerText(k: number): string | null {
    let lower = this.lowered[k]
    if (lower === undefined) {
      const text = this.texts[k]
      lower = this.lowered[k] = spelledAsStringified(text) ? text.toLowerCase() : null
    }
    return lower
  }

  skipWithout(index: number, needle: string, direction: Direction): number | undefined {
    const k = Math.floor(index / this.size)
    const texts = this.searchTexts[k]
    if (texts !== undefined && !needle.includes('\n')) return this.skipBySearchTexts(k, texts, index, needle, direction)
    // A search asks once per event: the answer for a page that may hold the needle is kept.
    if (this.holds.page === k && this.holds.needle === needle) return undefined
    if (!this.options.verbatim || !PLAIN_NEEDLE.test(needle)) return undefined
    const lower = this.lowerText(k)
    if (lower === null || lower.includes(needle)) {
      this.holds = { page: k, needle }
      return undefined
    }
    return direction === 1 ? Math.min(this.length, (k + 1) * this.size) - 1 : k * this.size
  }

  /**
   * Straight to the next event of page `k` whose search text holds the needle, or past the page
   * when none does. The texts are joined by line breaks, which no needle holds: no match runs from
   * one event's text into the next.
   */
  private skipBySearchTexts(k: number, { text, starts }: PageSearchTexts, index: number, needle: string, direction: Direction): number | undefined {
    const first = k * this.size
    const i = index - first
    if (direction === 1) {
      const at = text.indexOf(needle, starts[i])
      if (at === -1) return first + starts.length - 2
      const j = eventAt(starts, at)
      return j === i ? undefined : first + j - 1
    }
    const last = starts[i + 1] - 1 - needle.length
    const at = last < 0 ? -1 : text.lastIndexOf(needle, last)
    if (at === -1) return first
    const j = eventAt(starts, at)
    return j === i ? undefined : first + j + 1
  }
}

/**
 * A needle that can only match inside one token of JSON (a string's characters, a number): one
 * with JSON's punctuation could match across tokens, where stored text and JSON.stringify differ
 * (spaces, key order).
 */
const PLAIN_NEEDLE = /^[^{}[\]:,"\\\u0000-\u001f]+$/
const BACKSLASH = 92
const DOT = 46
const ZERO = 48
const NINE = 57

/**
 * Whether JSON.stringify would spell every value in a page's text as it is: no escapes, and no
 * number it may spell otherwise (an exponent, 0.0000001, 16 or more digits). One pass, where a
 * regular expression took ~1 ms a page.
 */
export function spelledAsStringified(text: string): boolean {
  let digits = 0 // the digits and dots of the number being read
  let zeros = -1 // zeros after a dot, or -1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= ZERO && c <= NINE) {
      if (++digits >= 16) return false
      zeros = c === ZERO && zeros >= 0 ? zeros + 1 : -1
      if (zeros >= 6) return false
      continue
    }
    if (c === DOT && digits > 0) {
      if (++digits >= 16) return false
      zeros = 0
      continue
    }
    if ((c === 101 || c === 69) && digits > 0) {
      // e or E after a digit, then a digit or a sign and a digit: an exponent.
      const next = text.charCodeAt(i + 1)
      const after = next === 43 || next === 45 ? text.charCodeAt(i + 2) : next
      if (after >= ZERO && after <= NINE) return false
    }
    if (c === BACKSLASH) return false
    digits = 0
    zeros = -1
  }
  return true
}
