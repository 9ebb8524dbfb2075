import { parentPort, workerData } from 'node:worker_threads'
import { UserError } from '../errors.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { tallyAgainst } from './against.js'
import { UpcastChain } from './chain.js'
import { analyzeChain } from './completeness.js'
import { loadUpcasterList } from './load-upcasters.js'
import type { AgainstWorkerInput, AgainstWorkerMessage } from './parallel-against.js'

/** One position range of `upcast check --against`, with the user's upcasters loaded in this thread. */
const input = workerData as AgainstWorkerInput
const post = (message: AgainstWorkerMessage) => parentPort!.postMessage(message)

try {
  const source = new SqliteSource(input.file, input.mapping)
  const shape = analyzeChain(await loadUpcasterList(input.upcastersFile))
  let reported = 0
  const tally = await tallyAgainst(source, new UpcastChain(shape.runnable), shape.latest, {
    covered: new Set(input.covered),
    range: input.range,
    read: { skipInvalid: input.read.skipInvalid, onWarning: (message) => post({ type: 'warning', message }) },
    onProgress: (events) => {
      post({ type: 'progress', read: events - reported })
      reported = events
    },
  })
  await source.close()
  post({ type: 'done', pairs: tally.list() })
} catch (error) {
  post({ type: 'error', message: (error as Error).message ?? String(error), exitCode: error instanceof UserError ? error.exitCode : 2 })
}
