import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'

/**
 * Starting `state -i`'s folding thread (timeline-worker.ts). bin/run.js starts one for a command
 * line that asks for the view, before oclif loads: the thread's own start (~100 ms while this
 * thread reads the store) is then over when the first page is read. The view takes it then, and
 * sends it what to fold as its first message; without one, it starts a thread with its input.
 */

/** The bundled thread (npm run build) loads from one file; the compiled one from dozens. */
export function foldingThreadUrl(): URL {
  const bundled = new URL('../../bundle/workers/timeline-worker.js', import.meta.url)
  return existsSync(bundled) ? bundled : new URL('./timeline-worker.js', import.meta.url)
}

// A young generation of 64 MiB: the thread makes short-lived events by the hundred thousand;
// with fewer scavenges the view opened ~80 ms sooner in A/B runs (noisy ones).
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 64 }

let started: { worker: Worker; url: string; exited: boolean } | undefined

/** Starts a thread that waits for its input; a command that does not take it exits all the same. */
export function prestartFoldingThread(url = foldingThreadUrl()): Worker | undefined {
  if (started !== undefined) return undefined
  try {
    const worker = new Worker(url, { resourceLimits: RESOURCE_LIMITS })
    const thread = { worker, url: url.href, exited: false }
    worker.once('exit', () => (thread.exited = true))
    worker.on('error', () => undefined) // it then exits; the view starts another
    worker.unref()
    started = thread
    return worker
  } catch {
    return undefined // the view starts its own
  }
}

/** A folding thread for `input`: the one started early, when it is still running, else a new one. */
export function startFoldingThread(url = foldingThreadUrl(), input: unknown): Worker {
  const thread = started
  started = undefined
  if (thread !== undefined && !thread.exited && thread.url === url.href) {
    thread.worker.ref()
    thread.worker.removeAllListeners('error')
    thread.worker.postMessage({ type: 'input', input })
    return thread.worker
  }
  void thread?.worker.terminate()
  return new Worker(url, { workerData: input, resourceLimits: RESOURCE_LIMITS })
}
