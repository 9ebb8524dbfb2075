import { workerData } from 'node:worker_threads'
import { eventFilter } from '../events/filter.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { runInThread } from '../threads/task-thread.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import { loadReducer } from './reducer.js'
import { replayAll, type StreamState } from './replay.js'
import type { ReplayWorkerInput, ReplayWorkerResult } from './parallel-replay.js'

/** One share of a parallel replay: the streams in [from, to), folded with the user's own modules. */
const input = workerData as ReplayWorkerInput

await runInThread<ReplayWorkerResult>(async (report) => {
  const source = SqliteSource.open(input.store)
  const [reducer, upcasters] = await Promise.all([loadReducer(input.reducerFile), loadUpcasters(input.upcastersFile)])
  const firstPositions = new Map<string, number | string>()
  const result = await replayAll(source, {
    firstPositions,
    progress: new Float64Array(input.progress.buffer, input.progress.index * 16, 2),
    reducer,
    upcasters,
    filter: eventFilter(input.filter),
    read: { ...input.read, streamRange: input.streamRange, onWarning: report.warning },
    onProgress: report.progress,
  })
  await source.close()
  const states = [...result.states].map(([stream, state]) => [stream, state, firstPositions.get(stream)!] as [string, StreamState, number])
  return { states, events: result.events, read: result.read }
})
