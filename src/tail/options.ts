import type { ReadOptions } from '../sources/source.js'

/** How a tail reader reads: decoding options, the follow poll interval, and when to stop. */
export interface TailReadOptions {
  read: ReadOptions
  /** Follow: how long to wait between polls when nothing new arrived. */
  intervalMs: number
  signal: AbortSignal
  /** Kafka: only these partitions (--partition). */
  partitions?: number[]
  /** Kafka: start from this consumer group's committed offsets (--group). */
  group?: string
  /** With --group and no --from: start where the group left off. */
  fromCommitted?: boolean
  onWarning: (message: string) => void
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
