import type { Worker } from 'node:worker_threads'
import { UserError } from '../errors.js'
import type { Reducer } from '../fold/reducer.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import type { SourceRecipe } from '../sources/open.js'
import type { SqliteSource, SqliteSourceSpec } from '../sources/sqlite/sqlite-source.js'
import type { UpcastChain } from '../upcast/chain.js'
import { ChunkedEvents, type PageSearchTexts } from './chunked-events.js'
import { FoldProgress } from './fold-progress.js'
import { startFoldingThread } from './folding-thread.js'
import { startingPoint, type StartOptions, type ViewState } from './state-navigation.js'
import { readStream, StateTimeline, TimelineFold, type TimelineParts } from './state-timeline.js'
import { noEventsOnceUpcast, PAGE_EVENTS } from './stream-pages.js'
import { visible } from '../events/terminal-text.js'

export interface TimelineWorkerInput {
  /** The source the thread opens to read it itself: a SQLite store, or any source from how it was opened. */
  store: SqliteSourceSpec | SourceRecipe
  stream: string
  reducerFile?: string
  upcastersFile?: string
  skipInvalid?: boolean
  /** `pages`: the starting thread sends the stored pages; `store`: the thread reads the store itself. */
  read: 'pages' | 'store'
  /** A FoldProgress's memory: how far the thread got, should the user stop it. */
  progress?: SharedArrayBuffer
}

/** What the starting thread sends a `pages` thread. */
export type ToTimelineThread = { type: 'page'; text: string; count: number } | { type: 'end'; expected: number }

/**
 * What a folding thread says. `texts`: the pages of decoded events, when it read the store itself.
 * After `done`, its pages' search texts (`searched`, from page `from` on), then `finished`.
 */
export type TimelineThreadMessage =
  | { type: 'warning'; message: string }
  | { type: 'done'; texts: string[]; length: number; parts: TimelineParts }
  | { type: 'searched'; from: number; pages: PageSearchTexts[] }
  | { type: 'finished' }
  | { type: 'error'; message: string; exitCode: number; user: boolean }

type Done = Extract<TimelineThreadMessage, { type: 'done' }> & { how: TimelineWorkerInput['read']; searched: SearchedTexts }

/** The pages' search texts a folding thread sends after its fold, kept until the view takes them. */
class SearchedTexts {
  private readonly kept: Array<[number, PageSearchTexts[]]> = []
  private taker?: (from: number, pages: PageSearchTexts[]) => void
  /** The pages the thread has sent texts of, once it has sent them all or stopped. */
  readonly finished: Promise<number>
  private sent = 0
  private settle!: (pages: number) => void
  constructor() {
    this.finished = new Promise((resolve) => (this.settle = resolve))
  }
  end(): void {
    this.settle(this.sent)
  }
  add(from: number, pages: PageSearchTexts[]): void {
    this.sent += pages.length
    if (this.taker === undefined) this.kept.push([from, pages])
    else this.taker(from, pages)
  }
  onto(taker: (from: number, pages: PageSearchTexts[]) => void): void {
    this.taker = taker
    for (const [from, pages] of this.kept.splice(0)) taker(from, pages)
  }
}

export interface TimelineOptions {
  source: EventSource
  stream: string
  reducer: Reducer
  upcasters?: UpcastChain
  /** The files the reducer and upcasters came from: given, the stream is folded in a thread. */
  files?: { reducer?: string; upcasters?: string }
  /** How to open a source other than SQLite again: given, the thread reads it itself. */
  recipe?: SourceRecipe
  start: StartOptions
  skipInvalid?: boolean
  onWarning?: ReadOptions['onWarning']
  /** The folding thread's module, for tests that run the sources (default: the built one). */
  workerUrl?: URL
}

export interface OpenedTimeline {
  timeline: StateTimeline
  start: number
  initial: Partial<ViewState>
  /** Where it was folded: from stored pages sent to a thread, by a thread reading the store, or here. */
  how: 'pages' | 'store' | 'here'
  /** How many pages' search texts the folding thread sent, once it is done (the view does not wait for them). */
  searchTexts: Promise<number>
}

const debug = (message: string) => {
  if (process.env.DEBUG?.includes('rewind')) process.stderr.write(`state -i: ${visible(message)}\n`)
}

/**
 * Reads and folds the stream for the view, in two threads at once where it can: this one reads
 * a plain SQLite stream's pages (SQLite writes each as one JSON text) and sends them to a thread
 * that folds them as they come; then this one loads ink and React while that one finishes. The
 * fold comes back as its checkpoints, and the view parses the pages it shows. A stream whose rows
 * need decoding (or upcasting), and another kind of source (Kafka, a file), are read and folded
 * by the thread itself, which opens the source again; what no thread can do (a state that cannot
 * be sent) is done here. A user error is the user's either way.
 *
 * Returns at once with the fold under way: `opened` settles when it is done.
 */
export function openTimeline(options: TimelineOptions): { opened: Promise<OpenedTimeline>; folding: Folding } {
  const folding: Folding = { progress: new FoldProgress(), threads: new Set(), stop: () => folding.threads.forEach((worker) => void worker.terminate()) }
  const threaded = readInThread(options, folding)
  if (threaded === undefined) return { opened: inThisThread(options), folding }
  const opened = threaded.then(
    (done) => {
      // Stored pages are searched as they are only without a separate eventId column (see
      // ChunkedEvents); the store thread's pages are JSON.stringify's own.
      const decoded = done.how === 'store'
      const verbatim = decoded || (options.source as SqliteSource).layout.mapping.eventId === undefined
      const events = new ChunkedEvents(done.texts, done.length, PAGE_EVENTS, options.stream, { decoded, verbatim })
      done.searched.onto((from, pages) => events.takeSearchTexts(from, pages))
      const timeline = new StateTimeline(events, options.reducer, done.parts)
      return { timeline, ...startingPoint(timeline, options.start), how: done.how, searchTexts: done.searched.finished }
    },
    (error: unknown) => {
      if (error instanceof UserError) throw error
      debug(`reading in this thread: ${(error as Error).message}`)
      return inThisThread(options)
    },
  )
  return { opened, folding }
}

/** The folding threads at work, and how far they got: the view stops them when the user quits before the fold is done. */
export interface Folding {
  progress: FoldProgress
  threads: Set<Worker>
  stop(): void
}

/** The fold in a thread, of pages read here (a plain SQLite stream) or read by the thread; undefined when no thread can. */
function readInThread(options: TimelineOptions, folding: Folding): Promise<Done> | undefined {
  if (options.files === undefined) return undefined
  if (options.source.kind === 'sqlite') {
    const source = options.source as SqliteSource
    const plain = (options.upcasters?.size ?? 0) === 0 ? sendPages(options, source, folding) : undefined
    return plain ?? foldInThread(options, folding, source.spec, 'store', () => undefined)
  }
  return options.recipe === undefined ? undefined : foldInThread(options, folding, options.recipe, 'store', () => undefined)
}

/** Reads and folds here, each batch as it comes (a Kafka read waits on the network between them). */
async function inThisThread(options: TimelineOptions): Promise<OpenedTimeline> {
  const fold = new TimelineFold(options.reducer)
  const events = await readStream(options.source, options.stream, { ...options, onEvent: (event) => fold.add(event) })
  if (events.length === 0) throw noEventsOnceUpcast(options.source.name, options.stream)
  const timeline = new StateTimeline(events, options.reducer, fold.parts())
  return { timeline, ...startingPoint(timeline, options.start), how: 'here', searchTexts: Promise.resolve(0) }
}

/**
 * Reads the stored pages here and sends each to a folding thread as it is read (synchronously:
 * the thread folds while this reads). Undefined when the stream has no stored pages; a page that
 * is not plain stops it, and the fold is then done by a thread that decodes the rows.
 */
function sendPages(options: TimelineOptions, source: SqliteSource, folding: Folding): Promise<Done> | undefined {
  const pages = source.streamPages(options.stream, PAGE_EVENTS)
  if (pages === undefined) return undefined
  const texts: string[] = []
  const folded = foldInThread(options, folding, source.spec, 'pages', (worker) => {
    for (const page of pages) {
      if (page === null) throw new Error('a row is not plain')
      texts.push(page.text)
      worker.postMessage({ type: 'page', text: page.text, count: page.count } satisfies ToTimelineThread)
    }
    worker.postMessage({ type: 'end', expected: source.countStream(options.stream) } satisfies ToTimelineThread)
  })
  return folded.then(
    (done) => ({ ...done, texts }),
    (error: unknown) => {
      if (error instanceof UserError) throw error
      debug(`decoding row by row: ${(error as Error).message}`)
      return foldInThread(options, folding, source.spec, 'store', () => undefined)
    },
  )
}

/** Starts a folding thread, lets `feed` talk to it, and resolves with its fold. */
function foldInThread(options: TimelineOptions, folding: Folding, store: TimelineWorkerInput['store'], read: TimelineWorkerInput['read'], feed: (worker: Worker) => void): Promise<Done> {
  const input: TimelineWorkerInput = {
    store,
    stream: options.stream,
    reducerFile: options.files?.reducer,
    upcastersFile: options.files?.upcasters,
    skipInvalid: options.skipInvalid,
    read,
    progress: folding.progress.buffer,
  }
  let worker: Worker
  try {
    worker = startFoldingThread(options.workerUrl, input)
  } catch (error) {
    return Promise.reject(error)
  }
  folding.threads.add(worker)
  const searched = new SearchedTexts()
  const result = new Promise<Done>((resolve, reject) => {
    let settled = false
    worker.on('message', (message: TimelineThreadMessage) => {
      if (message.type === 'warning') return options.onWarning?.(message.message)
      if (message.type === 'searched') return searched.add(message.from, message.pages)
      if (settled || message.type !== 'done') void worker.terminate()
      if (settled) return searched.end() // finished with the search texts, or failed making them (the view makes its own)
      settled = true
      if (message.type === 'done') {
        // It goes on with the search texts; the view may quit meanwhile.
        folding.threads.delete(worker)
        worker.unref()
        resolve({ ...message, how: read, searched })
      } else reject(message.type === 'error' && message.user ? new UserError(message.message, { exitCode: message.exitCode }) : new Error(message.type === 'error' ? message.message : 'the folding thread finished without a fold'))
    })
    worker.on('error', reject)
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the folding thread exited with code ${code}`))
      searched.end()
    })
  })
  try {
    feed(worker)
  } catch (error) {
    void worker.terminate()
    result.catch(() => undefined)
    return Promise.reject(error)
  }
  return result
}
