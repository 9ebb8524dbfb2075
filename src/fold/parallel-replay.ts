import type { EventFilterOptions } from '../events/filter.js'
import type { ReadOptions } from '../sources/source.js'
import type { SqliteSource, SqliteSourceSpec } from '../sources/sqlite/sqlite-source.js'
import { describeEvent } from '../events/describe-event.js'
import type { Event } from '../events/event.js'
import { handleSigintInstead, interrupted } from '../modules/user-code.js'
import { runTaskThread } from '../threads/task-thread.js'
import type { ReplayResult, StreamState } from './replay.js'

export interface ReplayWorkerInput {
  store: SqliteSourceSpec
  reducerFile?: string
  upcastersFile?: string
  /** Plain data, not a function: it crosses the thread boundary. */
  filter: Omit<EventFilterOptions, 'where'>
  read: Pick<ReadOptions, 'untilPosition' | 'withMeta' | 'skipInvalid'>
  streamRange: { from?: string; to?: string }
  /** Shared memory: this thread's [position, upcasting] pair is at `index` (see FoldSite). */
  progress: { buffer: SharedArrayBuffer; index: number }
}

export interface ReplayWorkerResult {
  /** With the position of each stream's first folded event. */
  states: Array<[string, StreamState, number]>
  events: number
  read: number
}

export interface ParallelReplayOptions extends Omit<ReplayWorkerInput, 'store' | 'streamRange' | 'progress'> {
  workers: number
  onProgress?: (read: number) => void
  onWarning?: (message: string) => void
}

/**
 * Splits the streams into `workers` key ranges (the split is done in SQL, so each thread decodes
 * only its own rows) and folds each range in its own thread. Streams never span two ranges, so
 * the states merge without conflicts.
 */
export async function replayInWorkers(source: SqliteSource, options: ParallelReplayOptions): Promise<ReplayResult> {
  const bounds = source.streamBoundaries(options.workers)
  const ranges = Array.from({ length: bounds.length + 1 }, (_, i) => ({ from: bounds[i - 1], to: bounds[i] }))
  let read = 0
  const url = new URL('./replay-worker.js', import.meta.url)
  const buffer = new SharedArrayBuffer(16 * ranges.length)
  const progress = new Float64Array(buffer).fill(NaN)
  const done = ranges.map(() => false)
  const stop = new AbortController()
  const runs = ranges.map((streamRange, index) => {
    const input: ReplayWorkerInput = {
      store: source.spec, reducerFile: options.reducerFile,
      upcastersFile: options.upcastersFile, filter: options.filter, read: options.read, streamRange,
      progress: { buffer, index },
    }
    // A small young generation per thread keeps two heaps within the memory of one (measured:
    // peak RSS 320 -> 210 MiB on the 1M-event bench, same speed).
    return runTaskThread<ReplayWorkerResult>(url, input, {
      name: 'replay',
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      onProgress: (n) => options.onProgress?.((read += n)),
      onWarning: options.onWarning,
      signal: stop.signal,
    }).then((result) => {
      done[index] = true
      return result
    })
  })
  // Ctrl-C: the threads may loop in user code; the one line names where each still running was.
  let restoreSigint = () => {}
  const stopped = new Promise<never>((_, reject) => {
    restoreSigint = handleSigintInstead(() => {
      const at = ranges.flatMap((_, i) => (done[i] || Number.isNaN(progress[2 * i]) ? [] : [{ position: progress[2 * i], upcasting: progress[2 * i + 1] === 1 }]))
      void describeStop(source, options, at).then((doing) => {
        const error = interrupted(doing)
        reject(error)
        stop.abort(error)
      })
    })
  })
  let results: ReplayWorkerResult[]
  try {
    results = await Promise.race([Promise.all(runs), stopped])
  } finally {
    restoreSigint()
  }
  // Streams in the order one thread meets them: by their first event's position.
  const merged = results.flatMap((result) => result.states).sort((a, b) => a[2] - b[2])
  const states = new Map<string, StreamState>(merged.map(([stream, state]) => [stream, state]))
  const events = results.reduce((n, r) => n + r.events, 0)
  return { states, events, read: results.reduce((n, r) => n + r.read, 0) }
}

/** "reducer.mjs was folding event at position 7 (...) in a worker thread", for each thread still at work. */
async function describeStop(source: SqliteSource, options: ParallelReplayOptions, at: Array<{ position: number; upcasting: boolean }>): Promise<string> {
  const parts = await Promise.all(at.map(async ({ position, upcasting }) => {
    let event: Event | undefined
    try {
      for await (const batch of source.batches({ fromPosition: position, untilPosition: position, withMeta: false, skipInvalid: true })) event = event ?? batch[0]
    } catch {
      // named by its position below
    }
    const what = event === undefined ? `the event at position ${position}` : describeEvent(event)
    return upcasting ? `the upcasters (${options.upcastersFile}) were lifting ${what}` : `${options.reducerFile ?? 'the default merge'} was folding ${what}`
  }))
  const modules = [options.reducerFile, options.upcastersFile].filter((file) => file !== undefined).join(' and ')
  return parts.length === 0 ? `the worker threads had folded no event yet (still loading ${modules || 'rewind'}, or reading)` : `${parts.join('; ')} (in ${parts.length === 1 ? 'a worker thread' : 'worker threads'})`
}
