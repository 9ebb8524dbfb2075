import { workerData } from 'node:worker_threads'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { runInThread } from '../threads/task-thread.js'
import type { AgainstPair } from './report.js'
import { tallyAgainst } from './against.js'
import { UpcastChain } from './chain.js'
import { analyzeChain } from './completeness.js'
import { loadUpcasterList } from './load-upcasters.js'
import type { AgainstWorkerInput } from './parallel-against.js'

/** One position range of `upcast check --against`, with the user's upcasters loaded in this thread. */
const input = workerData as AgainstWorkerInput

await runInThread<AgainstPair[]>(async (report) => {
  const source = SqliteSource.open(input.store)
  const shape = analyzeChain(await loadUpcasterList(input.upcastersFile))
  const tally = await tallyAgainst(source, new UpcastChain(shape.runnable), shape.latest, {
    covered: new Set(input.covered),
    range: input.range,
    read: { skipInvalid: input.read.skipInvalid, onWarning: report.warning },
    onProgress: report.progress,
  })
  await source.close()
  return tally.list()
})
