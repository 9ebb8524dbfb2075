import type { CpuInfo } from 'node:os'
import type { OutputWriter } from '../../output/writer.js'
import { WorkerPool } from '../../threads/ordered-pool.js'
import { threadsFor } from '../../threads/thread-count.js'
import type { TailFilterOptions } from '../../tail/tail.js'
import { WarningLimit } from './envelope.js'
import { detachBatches } from './fetch-response.js'
import type { ConsumeRange, RecordUnit } from './kafka-client.js'
import type { KafkaSource } from './kafka-source.js'
import { unitRenderer, type RenderedUnit, type RenderInput } from './render-unit.js'

/** Units queued per worker: enough that it never waits for this thread. */
const QUEUED = 2

/** Threads worth rendering a read of these ranges with (see threadsFor); one for an endless read. */
export function renderThreads(ranges: ConsumeRange[], since: CpuInfo[], env: NodeJS.ProcessEnv = process.env): number {
  let messages = 0n
  for (const range of ranges) {
    if (range.until === undefined) return 1
    if (range.until > range.from) messages += range.until - range.from
  }
  return threadsFor(Number(messages), since, env)
}

export interface RenderOptions {
  ranges: ConsumeRange[]
  maxWaitMs: number
  signal: AbortSignal
  filter: TailFilterOptions
  out: OutputWriter
  onWarning: (message: string) => void
  /** This thread and threads - 1 workers. */
  threads: number
}

/**
 * `tail --format ndjson` of a Kafka topic, decoded, filtered and printed by this thread and
 * worker threads together. Each unit (one partition's part of one fetch) goes to a worker with
 * room in its queue, else this thread renders it; units are written in fetch order, so the output
 * is byte for byte what one thread prints. Returns the number of events printed.
 */
export async function renderInThreads(source: KafkaSource, options: RenderOptions): Promise<number> {
  const input: RenderInput = { decoder: source.decoderOptions, filter: options.filter }
  const renderHere = unitRenderer(input)
  const workers = options.threads - 1
  const pool = new WorkerPool<RecordUnit, RenderedUnit>(new URL('./render-worker.js', import.meta.url), input, workers, `kafka ${source.topic}`)
  const warnings = new WarningLimit()
  const inOrder: Array<{ output: Promise<RenderedUnit>; done: boolean }> = []
  const enqueue = (output: Promise<RenderedUnit>, done = false) => {
    const entry = { output, done }
    if (!done) output.then(() => (entry.done = true), () => (entry.done = true))
    inOrder.push(entry)
  }
  let printed = 0
  const writeNext = async () => {
    const output = await inOrder.shift()!.output
    for (const message of output.warnings) warnings.pass(message, options.onWarning)
    await options.out.writeBytes(output.bytes)
    printed += output.printed
  }
  try {
    const units = source.client.consumeUnits({ topic: source.topic, ranges: options.ranges, signal: options.signal, maxWaitMs: options.maxWaitMs, onWarning: options.onWarning })
    for await (const unit of units) {
      if (pool.failure !== undefined) throw pool.failure
      if (pool.leastQueued >= QUEUED) {
        enqueue(Promise.resolve(await renderHere(unit)), true)
      } else {
        // Batches travel as bytes of their own (transferred, not copied again).
        const sent: RecordUnit = 'batches' in unit ? { ...unit, ...detachBatches(unit.bytes, unit.batches) } : unit
        enqueue(pool.submit(sent, 'batches' in sent ? [sent.bytes.buffer as ArrayBuffer] : []))
      }
      // Write what is done, in order; units waiting for their turn stay few.
      while (inOrder.length > 0 && (inOrder[0].done || inOrder.length > QUEUED * workers + 1)) await writeNext()
    }
    while (inOrder.length > 0) await writeNext()
  } finally {
    await pool.close()
  }
  return printed
}

