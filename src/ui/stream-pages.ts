import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { eventPage } from '../events/event-page.js'
import type { Reducer } from '../fold/reducer.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { EMPTY_CHAIN, type UpcastChain } from '../upcast/chain.js'
import { noSuchStream } from '../fold/fold-stream.js'
import type { FoldProgress } from './fold-progress.js'
import { TimelineFold } from './state-timeline.js'

/** Events a page of text holds (see ChunkedEvents). */
export const PAGE_EVENTS = 1024

/** The error for a stream whose events the upcasters all dropped. */
export const noEventsOnceUpcast = (source: string, stream: string): UserError => new UserError(`${source}: stream "${stream}" has no events once upcast`)

/** One stream folded, and its events as pages of text (EventPage of decoded events) to hand to another thread. */
export interface FoldedPages {
  fold: TimelineFold
  texts: string[]
}

export interface FoldPagesOptions {
  upcasters?: UpcastChain
  /** Noted per stored event, for the thread that waits for the fold. */
  progress?: FoldProgress
  skipInvalid?: boolean
  onWarning?: ReadOptions['onWarning']
}

/**
 * Reads, decodes (and upcasts) and folds one stream event by event, keeping no event: only the
 * fold and the pages' text, written with JSON.stringify. (A plain SQLite stream's pages come
 * from SQLite instead: see SqliteSource.streamPages and timeline-thread.ts.)
 */
export async function foldStreamPages(source: EventSource, stream: string, reducer: Reducer, options: FoldPagesOptions = {}): Promise<FoldedPages> {
  const upcasters = options.upcasters ?? EMPTY_CHAIN
  const fold = new TimelineFold(reducer)
  const texts: string[] = []
  let page: Event[] = []
  const keep = () => texts.push(JSON.stringify(eventPage(page)))
  let seen = 0
  const take = (event: Event) => {
    fold.add(event)
    page.push(event)
    if (page.length === PAGE_EVENTS) {
      keep()
      page = []
    }
  }
  for await (const batch of source.batches({ stream, withMeta: true, keepsAll: true, skipInvalid: options.skipInvalid, onWarning: options.onWarning })) {
    for (const stored of batch) {
      options.progress?.at(++seen)
      if (upcasters.size === 0) take(stored)
      else for (const event of upcasters.apply(stored)) take(event)
    }
  }
  if (seen === 0) throw await noSuchStream(source, stream)
  if (page.length > 0) keep()
  return { fold, texts }
}
