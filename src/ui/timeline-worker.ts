import { parentPort, workerData } from 'node:worker_threads'
import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { pageEvents } from '../events/event-page.js'
import { loadReducer, type Reducer } from '../fold/reducer.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import { pageSearchTexts } from './chunked-events.js'
import { FoldProgress } from './fold-progress.js'
import { TimelineFold } from './state-timeline.js'
import type { TimelineThreadMessage, TimelineWorkerInput, ToTimelineThread } from './timeline-thread.js'

/**
 * `state -i`'s folding thread. Either the thread that started it reads the store and sends the
 * stream's stored pages as it reads them (`pages`), which this folds as they come, checking them;
 * or this reads and folds the stream itself, the way that decodes each row (`store`).
 */

/** The starting thread's messages, kept until this thread is ready for them (none is dropped). */
class Inbox {
  private readonly kept: unknown[] = []
  private reader?: (message: never) => void
  constructor() {
    parentPort!.on('message', (message: unknown) => (this.reader === undefined ? this.kept.push(message) : this.reader(message as never)))
  }
  /** Hands `reader` the messages kept and those to come, until `stop`. */
  read<T>(reader: (message: T) => void): void {
    this.reader = reader
    while (this.kept.length > 0 && this.reader === reader) reader(this.kept.shift() as T)
  }
  stop(): void {
    this.reader = undefined
  }
}
const inbox = new Inbox()
const post = (message: TimelineThreadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer)

// Started early (folding-thread.ts), the thread's input is its first message.
const input =
  (workerData as TimelineWorkerInput | undefined) ??
  (await new Promise<TimelineWorkerInput>((resolve) => {
    inbox.read((message: { type: 'input'; input: TimelineWorkerInput }) => {
      inbox.stop()
      resolve(message.input)
    })
  }))

function done(fold: TimelineFold, texts: string[]): void {
  const parts = fold.parts()
  post({ type: 'done', texts, length: fold.length, parts }, [parts.ignored.buffer as ArrayBuffer])
}

/** Pages sent back at a time with their search texts. */
const SEARCH_TEXTS_BATCH = 4

/**
 * Once the view is open: the search texts of every page's events (see ChunkedEvents.skipWithout),
 * made here so that the view's thread, which answers keys, does not; a few pages a message.
 */
async function sendSearchTexts(texts: string[], decoded: boolean): Promise<void> {
  for (let from = 0; from < texts.length; from += SEARCH_TEXTS_BATCH) {
    const pages = texts.slice(from, from + SEARCH_TEXTS_BATCH).map((text) => pageSearchTexts(pageEvents(JSON.parse(text), input.stream, decoded)!))
    post({ type: 'searched', from, pages }, pages.map((page) => page.starts.buffer as ArrayBuffer))
    await new Promise((resolve) => setImmediate(resolve))
  }
  post({ type: 'finished' })
}

/** Folds the pages the starting thread sends; a page that is not what it should be ends it (not as a user error). */
function foldSentPages(reducer: Reducer, progress: FoldProgress | undefined): Promise<string[]> {
  const fold = new TimelineFold(reducer)
  const texts: string[] = []
  let last = -Infinity
  return new Promise((resolve, reject) => {
    inbox.read((message: ToTimelineThread) => {
      try {
        if (message.type === 'end') {
          if (fold.length === 0 || fold.length !== message.expected) throw new Error(`the pages hold ${fold.length} of ${message.expected} events`)
          done(fold, [])
          resolve(texts)
          return
        }
        texts.push(message.text)
        const events: Event[] | undefined = pageEvents(JSON.parse(message.text), input.stream)
        if (events === undefined || events.length !== message.count) throw new Error('a page is not a page of events')
        for (const event of events) {
          if (typeof event.position !== 'number' || !(event.position > last)) throw new Error(`positions do not rise at ${String(event.position)}`)
          last = event.position
          progress?.at(fold.length + 1)
          fold.add(event)
        }
      } catch (error) {
        inbox.stop()
        reject(error)
      }
    })
  })
}

try {
  const progress = input.progress === undefined ? undefined : new FoldProgress(input.progress)
  const [reducer, upcasters] = await Promise.all([loadReducer(input.reducerFile), loadUpcasters(input.upcastersFile)])
  progress?.loaded()
  if (input.read === 'pages') await sendSearchTexts(await foldSentPages(reducer, progress), false)
  else {
    // Loaded only here: the pages thread needs no SQLite.
    const { foldStreamPages, noEventsOnceUpcast } = await import('./stream-pages.js')
    const store = input.store
    const source =
      'spec' in store
        ? await (await import('../sources/open.js')).openSource(store.spec, store.options)
        : (await import('../sources/sqlite/sqlite-source.js')).SqliteSource.open(store)
    const read = await foldStreamPages(source, input.stream, reducer, { upcasters, progress, skipInvalid: input.skipInvalid, onWarning: (message) => post({ type: 'warning', message }) })
    await source.close()
    if (read.fold.length === 0) throw noEventsOnceUpcast(source.name, input.stream)
    done(read.fold, read.texts)
    await sendSearchTexts(read.texts, true)
  }
} catch (error) {
  // Pages that are not plain, or a state that cannot be sent (a function in it), are no user
  // error: the view then reads another way.
  const user = error instanceof UserError
  post({ type: 'error', message: (error as Error)?.message ?? String(error), exitCode: user ? error.exitCode : 2, user })
}
