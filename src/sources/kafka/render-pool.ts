import type { CpuInfo } from 'node:os'
import { Worker } from 'node:worker_threads'
import { UserError } from '../../errors.js'
import type { OutputWriter } from '../../output/writer.js'
import { threadsFor } from '../../threads/thread-count.js'
import type { TailFilterOptions } from '../../tail/tail.js'
import { WarningLimit } from './envelope.js'
import { detachBatches } from './fetch-response.js'
import type { ConsumeRange, RecordUnit } from './kafka-client.js'
import type { KafkaSource } from './kafka-source.js'
import { unitRenderer, type RenderedUnit, type RenderInput } from './render-unit.js'

export interface RenderRequest {
  seq: number
  unit: RecordUnit
}

export type RenderResult = ({ seq: number } & RenderedUnit) | { seq: number; error: string }

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
  const input: RenderInput = { decoder: { topic: source.topic, streamPath: source.streamPath }, filter: options.filter }
  const renderHere = unitRenderer(input)
  const url = new URL('./render-worker.js', import.meta.url)
  const waiting = new Map<number, { resolve: (output: RenderedUnit) => void; reject: (error: Error) => void }>()
  const queued = new Array<number>(options.threads - 1).fill(0)
  let closing = false
  let failure: Error | undefined
  const failAll = (error: Error) => {
    failure ??= error
    for (const entry of waiting.values()) entry.reject(error)
    waiting.clear()
  }
  const workers = queued.map((_, index) => {
    const worker = new Worker(url, { workerData: input })
    worker.on('message', (result: RenderResult) => {
      const entry = waiting.get(result.seq)
      if (entry === undefined) return
      waiting.delete(result.seq)
      queued[index]--
      if ('error' in result) entry.reject(new UserError(`kafka ${source.topic}: rendering failed: ${result.error}`))
      else entry.resolve(result)
    })
    worker.on('error', (error) => failAll(new UserError(`kafka ${source.topic}: a render thread failed: ${error.message}`, { cause: error })))
    worker.on('exit', (code) => {
      if (!closing) failAll(new UserError(`kafka ${source.topic}: a render thread exited with code ${code}`))
    })
    return worker
  })

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
    let seq = 0
    const units = source.client.consumeUnits({ topic: source.topic, ranges: options.ranges, signal: options.signal, maxWaitMs: options.maxWaitMs, onWarning: options.onWarning })
    for await (const unit of units) {
      if (failure !== undefined) throw failure
      const index = queued.indexOf(Math.min(...queued))
      if (index === -1 || queued[index] >= QUEUED) {
        enqueue(Promise.resolve(await renderHere(unit)), true)
      } else {
        // Batches travel as bytes of their own (transferred, not copied again).
        const sent: RecordUnit = 'batches' in unit ? { ...unit, ...detachBatches(unit.bytes, unit.batches) } : unit
        const request: RenderRequest = { seq: seq++, unit: sent }
        const output = new Promise<RenderedUnit>((resolve, reject) => waiting.set(request.seq, { resolve, reject }))
        output.catch(() => {}) // awaited in order below; a failure must not surface before then
        enqueue(output)
        queued[index]++
        workers[index].postMessage(request, 'batches' in sent ? [sent.bytes.buffer as ArrayBuffer] : [])
      }
      // Write what is done, in order; units waiting for their turn stay few.
      while (inOrder.length > 0 && (inOrder[0].done || inOrder.length > QUEUED * workers.length + 1)) await writeNext()
    }
    while (inOrder.length > 0) await writeNext()
  } finally {
    closing = true
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return printed
}

