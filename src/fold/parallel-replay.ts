import { Worker } from 'node:worker_threads'
import { UserError } from '../errors.js'
import type { EventFilterOptions } from '../events/filter.js'
import type { ReadOptions } from '../sources/source.js'
import type { ColumnMapping } from '../sources/sqlite/layout.js'
import type { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import type { ReplayResult, StreamState } from './replay.js'

export interface ReplayWorkerInput {
  file: string
  mapping: Partial<ColumnMapping>
  reducerFile?: string
  upcastersFile?: string
  /** Plain data, not a function: it crosses the thread boundary. */
  filter: Omit<EventFilterOptions, 'where'>
  read: Pick<ReadOptions, 'untilPosition' | 'withMeta' | 'skipInvalid'>
  streamRange: { from?: string; to?: string }
}

export type ReplayWorkerMessage =
  | { type: 'progress'; read: number }
  | { type: 'warning'; message: string }
  | { type: 'done'; states: Array<[string, StreamState]>; events: number; read: number }
  | { type: 'error'; message: string; exitCode: number; stack?: string }

export interface ParallelReplayOptions extends Omit<ReplayWorkerInput, 'file' | 'mapping' | 'streamRange'> {
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
  const runs = ranges.map(
    (streamRange) =>
      new Promise<Extract<ReplayWorkerMessage, { type: 'done' }>>((resolve, reject) => {
        const input: ReplayWorkerInput = {
          file: source.file, mapping: source.layout.mapping, reducerFile: options.reducerFile,
          upcastersFile: options.upcastersFile, filter: options.filter, read: options.read, streamRange,
        }
        // A small young generation per thread keeps two heaps within the memory of one (measured:
        // peak RSS 320 -> 210 MiB on the 1M-event bench, same speed).
        const worker = new Worker(url, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 4 } })
        worker.on('message', (message: ReplayWorkerMessage) => {
          if (message.type === 'progress') options.onProgress?.((read += message.read))
          else if (message.type === 'warning') options.onWarning?.(message.message)
          else if (message.type === 'done') resolve(message)
          else reject(new UserError(message.message, { exitCode: message.exitCode }))
        })
        worker.on('error', (error) => reject(new UserError(`replay worker failed: ${error.message}`, { cause: error })))
        worker.on('exit', (code) => {
          if (code !== 0) reject(new UserError(`replay worker exited with code ${code}`))
        })
      }),
  )
  const results = await Promise.all(runs)
  const states = new Map<string, StreamState>()
  let events = 0
  for (const result of results) {
    for (const [stream, state] of result.states) states.set(stream, state)
    events += result.events
  }
  return { states, events, read: results.reduce((n, r) => n + r.read, 0) }
}
