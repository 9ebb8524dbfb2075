import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads'
import { UserError } from '../errors.js'

/** What a task thread tells the thread that started it. */
export type TaskMessage<T> =
  | { type: 'progress'; read: number }
  | { type: 'warning'; message: string }
  | { type: 'done'; result: T }
  | { type: 'error'; message: string; exitCode: number }

export interface TaskOptions {
  /** For messages: "replay", "upcast check". */
  name: string
  resourceLimits?: ResourceLimits
  /** Events read by this thread since its last report. */
  onProgress?: (read: number) => void
  onWarning?: (message: string) => void
  /** Says what running out of memory means for this task. */
  outOfMemory?: string
  /** Aborted: the thread is terminated (even looping in user code) and the task rejects with the reason. */
  signal?: AbortSignal
}

/**
 * Runs one task in a thread of its own (the module at `url`, given `input` as workerData) and
 * resolves with what it reports as done; its UserErrors keep their message and exit code.
 */
export function runTaskThread<T>(url: URL, input: unknown, options: TaskOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(url, { workerData: input, resourceLimits: options.resourceLimits })
    options.signal?.addEventListener('abort', () => {
      void worker.terminate()
      reject(options.signal!.reason)
    }, { once: true })
    worker.on('message', (message: TaskMessage<T>) => {
      if (message.type === 'progress') options.onProgress?.(message.read)
      else if (message.type === 'warning') options.onWarning?.(message.message)
      else if (message.type === 'done') resolve(message.result)
      else reject(new UserError(message.message, { exitCode: message.exitCode }))
    })
    worker.on('error', (error) => {
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && options.outOfMemory !== undefined
      reject(new UserError(outOfMemory ? options.outOfMemory! : `${options.name} worker failed: ${error.message}`, { cause: error }))
    })
    worker.on('exit', (code) => {
      if (code !== 0) reject(new UserError(`${options.name} worker exited with code ${code}`))
    })
  })
}

/** Inside a task thread: reports to the thread that started it. */
export function taskReporter<T>() {
  const post = (message: TaskMessage<T>) => parentPort!.postMessage(message)
  let reported = 0
  return {
    warning: (message: string) => post({ type: 'warning', message }),
    /** `read`: the total so far; the starting thread receives the difference. */
    progress: (read: number) => {
      post({ type: 'progress', read: read - reported })
      reported = read
    },
    done: (result: T) => post({ type: 'done', result }),
    fail: (error: unknown) => post({ type: 'error', message: (error as Error)?.message ?? String(error), exitCode: error instanceof UserError ? error.exitCode : 2 }),
  }
}

/** Runs a task thread's body and reports its result or its error. */
export async function runInThread<T>(body: (report: ReturnType<typeof taskReporter<T>>) => Promise<T>): Promise<void> {
  const report = taskReporter<T>()
  try {
    report.done(await body(report))
  } catch (error) {
    report.fail(error)
  }
}
