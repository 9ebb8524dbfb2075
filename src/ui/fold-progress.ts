import { describeEvent } from '../events/describe-event.js'
import type { EventSource } from '../sources/source.js'

/**
 * How far `state -i`'s folding thread got, in memory both threads see: a thread looping in user
 * code cannot answer a message, so when the user stops it the view names the event from here.
 * One store per event.
 */
export class FoldProgress {
  private readonly cells: Int32Array

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.cells = new Int32Array(buffer)
  }

  /** The thread has loaded the reducer and upcasters. */
  loaded(): void {
    Atomics.store(this.cells, 1, 1)
  }

  /** The thread takes the `n`th stored event of the stream (1-based). */
  at(n: number): void {
    Atomics.store(this.cells, 0, n)
  }

  get hasLoaded(): boolean {
    return Atomics.load(this.cells, 1) === 1
  }

  /** The stored event being folded (1-based); 0 before the first. */
  get storedEvent(): number {
    return Atomics.load(this.cells, 0)
  }
}

/** What the folding thread was doing when it was stopped: "reducer.ts was folding event at position 7 (...)". */
export async function describeFoldProgress(progress: FoldProgress, source: EventSource, stream: string, files: { reducer?: string; upcasters?: string }): Promise<string> {
  const modules = [files.reducer, files.upcasters].filter((file) => file !== undefined).join(' and ')
  if (!progress.hasLoaded) return `the folding thread was still loading ${modules} (its top-level code)`
  const n = progress.storedEvent
  if (n === 0) return `the folding thread had not read an event of ${stream} yet`
  let seen = 0
  try {
    for await (const batch of source.batches({ stream, withMeta: false, skipInvalid: true })) {
      if (seen + batch.length >= n) return `${modules} ${files.upcasters === undefined ? 'was' : 'were'} folding ${describeEvent(batch[n - seen - 1])} in the folding thread`
      seen += batch.length
    }
  } catch {
    // named by its number below
  }
  return `${modules} ${files.upcasters === undefined ? 'was' : 'were'} folding event ${n} of ${stream} in the folding thread`
}
