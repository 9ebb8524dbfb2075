import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads'
import { UserError } from '../errors.js'

type Reply<R> = { seq: number; result: R } | { seq: number; error: string; exitCode: number }

/**
 * Worker threads that each run the module at `url` (which calls serveRequests) and take requests
 * one at a time. submit() goes to the least busy thread; the caller awaits the results in its
 * own order, so output stays in order whichever thread finishes first.
 */
export class WorkerPool<Q, R> {
  private readonly workers: Worker[]
  private readonly queued: number[]
  private readonly waiting = new Map<number, { resolve: (result: R) => void; reject: (error: Error) => void }>()
  private seq = 0
  private closing = false
  private failed: Error | undefined

  constructor(url: URL, workerData: unknown, threads: number, private readonly name: string, resourceLimits?: ResourceLimits) {
    this.queued = new Array<number>(threads).fill(0)
    this.workers = this.queued.map((_, index) => {
      const worker = new Worker(url, { workerData, resourceLimits })
      worker.on('message', (reply: Reply<R>) => {
        const entry = this.waiting.get(reply.seq)
        if (entry === undefined) return
        this.waiting.delete(reply.seq)
        this.queued[index]--
        if ('error' in reply) entry.reject(new UserError(reply.error, { exitCode: reply.exitCode }))
        else entry.resolve(reply.result)
      })
      worker.on('error', (error) => this.failAll(new UserError(`${name}: a worker thread failed: ${error.message}`, { cause: error })))
      worker.on('exit', (code) => {
        if (!this.closing) this.failAll(new UserError(`${name}: a worker thread exited with code ${code}`))
      })
      return worker
    })
  }

  /** Requests sent and not yet answered by the least busy thread. */
  get leastQueued(): number {
    return Math.min(...this.queued)
  }

  /** Why a thread died, once one has: later submits would never be answered. */
  get failure(): Error | undefined {
    return this.failed
  }

  /** Sends a request; the promise never rejects before the caller awaits it (no unhandled rejection). */
  submit(request: Q, transfer: Transferable[] = []): Promise<R> {
    const index = this.queued.indexOf(Math.min(...this.queued))
    const seq = this.seq++
    const result = new Promise<R>((resolve, reject) => this.waiting.set(seq, { resolve, reject }))
    result.catch(() => {})
    this.queued[index]++
    this.workers[index].postMessage({ seq, request }, transfer as never)
    return result
  }

  async close(): Promise<void> {
    this.closing = true
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }

  private failAll(error: Error): void {
    this.failed ??= error
    for (const entry of this.waiting.values()) entry.reject(error)
    this.waiting.clear()
  }
}

/** Inside a pool's worker: answers each request in turn; a UserError keeps its message and exit code. */
export function serveRequests<Q, R>(handle: (request: Q) => Promise<{ result: R; transfer?: Transferable[] }> | { result: R; transfer?: Transferable[] }): void {
  let queue = Promise.resolve()
  parentPort!.on('message', ({ seq, request }: { seq: number; request: Q }) => {
    queue = queue.then(async () => {
      try {
        const { result, transfer } = await handle(request)
        parentPort!.postMessage({ seq, result } satisfies Reply<R>, transfer as never)
      } catch (error) {
        const exitCode = error instanceof UserError ? error.exitCode : 2
        parentPort!.postMessage({ seq, error: (error as Error)?.message ?? String(error), exitCode } satisfies Reply<R>)
      }
    })
  })
}
