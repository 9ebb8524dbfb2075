import type { ReadOptions } from '../sources/source.js'
import type { SqliteSource, SqliteSourceSpec } from '../sources/sqlite/sqlite-source.js'
import { runTaskThread } from '../threads/task-thread.js'
import { againstReport, mergePairs } from './against.js'
import type { AgainstPair, AgainstReport, UpcastFailure } from './report.js'

const OLD_GENERATION_MB = 512

export interface AgainstWorkerInput {
  store: SqliteSourceSpec
  upcastersFile: string
  covered: string[]
  read: Pick<ReadOptions, 'skipInvalid'>
  range: Pick<ReadOptions, 'fromPosition' | 'untilPosition'>
}

export interface ParallelAgainstOptions {
  workers: number
  upcastersFile: string
  covered: Set<string>
  name: string
  read?: Pick<ReadOptions, 'skipInvalid' | 'onWarning'>
  onProgress?: (events: number) => void
}

/**
 * `upcast check --against` in threads: the store is cut into position ranges of about equal
 * count (in SQL, so each thread decodes only its rows); each thread loads the upcasters itself.
 * Ranges merge in position order, so "first failure" means the same as in one thread.
 */
export async function checkAgainstInWorkers(source: SqliteSource, options: ParallelAgainstOptions): Promise<{ report: AgainstReport; failures: UpcastFailure[] }> {
  const bounds = source.positionBoundaries(options.workers)
  const ranges = Array.from({ length: bounds.length + 1 }, (_, i) => ({
    ...(i === 0 ? {} : { fromPosition: bounds[i - 1] }),
    ...(i === bounds.length ? {} : { untilPosition: bounds[i] - 1 }),
  }))
  let read = 0
  const url = new URL('./against-worker.js', import.meta.url)
  const runs = ranges.map((range) => {
    const input: AgainstWorkerInput = {
      store: source.spec, upcastersFile: options.upcastersFile,
      covered: [...options.covered], read: { skipInvalid: options.read?.skipInvalid }, range,
    }
    // A thread keeps only counts; V8 sizes its collections by these limits, and two threads
    // then stay in the memory of one (measured: peak RSS 240-260 -> 190-210 MiB on the
    // 1M-event bench, no slower). Only upcasters that keep what they see come near 512 MiB.
    return runTaskThread<AgainstPair[]>(url, input, {
      name: 'upcast check',
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: OLD_GENERATION_MB },
      onProgress: (n) => options.onProgress?.((read += n)),
      onWarning: options.read?.onWarning,
      outOfMemory: `an upcast check thread ran out of its ${OLD_GENERATION_MB} MiB heap (do the upcasters keep what they see?); run with --workers 1`,
    })
  })
  return againstReport(options.name, mergePairs(await Promise.all(runs)))
}
