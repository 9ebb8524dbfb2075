import { parentPort, workerData } from 'node:worker_threads'
import { UserError } from '../errors.js'
import { eventFilter } from '../events/filter.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import { loadReducer } from './reducer.js'
import { replayAll } from './replay.js'
import type { ReplayWorkerInput, ReplayWorkerMessage } from './parallel-replay.js'

/** One share of a parallel replay: the streams in [from, to), folded with the user's own modules. */
const input = workerData as ReplayWorkerInput
const post = (message: ReplayWorkerMessage) => parentPort!.postMessage(message)

try {
  const source = new SqliteSource(input.file, input.mapping)
  const [reducer, upcasters] = await Promise.all([loadReducer(input.reducerFile), loadUpcasters(input.upcastersFile)])
  let reported = 0
  const result = await replayAll(source, {
    reducer,
    upcasters,
    filter: eventFilter(input.filter),
    read: { ...input.read, streamRange: input.streamRange, onWarning: (message) => post({ type: 'warning', message }) },
    onProgress: (read) => {
      post({ type: 'progress', read: read - reported })
      reported = read
    },
  })
  await source.close()
  post({ type: 'done', states: [...result.states], events: result.events, read: result.read })
} catch (error) {
  const known = error instanceof UserError
  post({ type: 'error', message: (error as Error).message ?? String(error), exitCode: known ? error.exitCode : 2, stack: (error as Error).stack })
}
