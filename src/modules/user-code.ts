import vm from 'node:vm'
import { isMainThread } from 'node:worker_threads'
import { UserError } from '../errors.js'

/**
 * Running a user's reducer, upcasters or module top level so that Ctrl-C still stops it, and so
 * that its process.exit() is an error rather than rewind quitting with no output.
 *
 * A JavaScript SIGINT handler cannot run while this thread loops in user code. On the main thread
 * the work runs inside vm's `breakOnSigint`: Node's watchdog thread then ends the loop and the call
 * throws, here turned into exit 130 naming what was running. Measured: ~25-35 µs a call (the
 * watchdog thread is started and joined each time), so callers guard a batch, not an event.
 * In a worker thread the watchdog would take SIGINT from the main thread for good (it restores the
 * default action, not the main thread's handler): workers call directly, and the main thread,
 * free to handle Ctrl-C, ends them.
 */

const RUN = '__rewindUserCode'
const script = isMainThread ? new vm.Script(`globalThis.${RUN}()`, { filename: 'rewind:user-code' }) : undefined
let depth = 0
let realExit: typeof process.exit | undefined

/** What process.exit() throws while user code runs. */
export class ExitCalled extends Error {
  constructor(readonly code: unknown) {
    super(`called process.exit(${code === undefined ? '' : String(code)})`)
  }
}

const trappedExit = ((code?: unknown) => {
  throw new ExitCalled(code)
}) as typeof process.exit

/**
 * Runs `work`, synchronous user code. `doing` says what it was doing, for the one line printed
 * when Ctrl-C stops it ("reducer.ts was folding event at position 7 (...)").
 */
export function runUserCode<T>(work: () => T, doing: () => string): T {
  if (depth === 0) {
    realExit = process.exit
    process.exit = trappedExit
  }
  depth++
  try {
    if (script === undefined || depth > 1) return work()
    const global = globalThis as unknown as Record<string, unknown>
    global[RUN] = work
    try {
      return script.runInThisContext({ breakOnSigint: true }) as T
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw interrupted(doing())
      throw error
    } finally {
      global[RUN] = undefined
    }
  } finally {
    if (--depth === 0) process.exit = realExit!
  }
}

/** The error for Ctrl-C in user code: exit 130, one line naming what ran. */
export function interrupted(doing: string): UserError {
  return new UserError(`stopped by Ctrl-C: ${doing}`, { exitCode: 130 })
}

/**
 * Makes `handler` the one SIGINT handler (bin/run.js's exits 130 at once) while a thread runs
 * user code that the handler stops; returns the function that puts the previous handlers back.
 */
export function handleSigintInstead(handler: () => void): () => void {
  const previous = process.rawListeners('SIGINT') as NodeJS.SignalsListener[]
  process.removeAllListeners('SIGINT')
  process.on('SIGINT', handler)
  return () => {
    process.off('SIGINT', handler)
    for (const listener of previous) process.on('SIGINT', listener)
  }
}
