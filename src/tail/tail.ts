import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { compileExpression } from '../events/expression.js'
import { eventFilter } from '../events/filter.js'
import { FoldSite } from '../fold/fold-site.js'
import { runUserCode } from '../modules/user-code.js'
import type { EventPrinter } from '../output/event-format.js'
import type { OutputWriter } from '../output/writer.js'
import type { FileSource } from '../sources/file-source.js'
import type { EventSource } from '../sources/source.js'
import type { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import type { UpcastChain } from '../upcast/chain.js'
import { fileTail } from './file-tail.js'
import type { TailReadOptions } from './options.js'
import type { TailRange } from './range.js'
import { sqliteTail } from './sqlite-tail.js'

/** The names a --where expression can use: the fields of an event. */
export const WHERE_ROOTS = ['type', 'stream', 'data', 'meta', 'time', 'version', 'position', 'schemaVersion', 'kafka']

export interface TailFilterOptions {
  types?: string[]
  streams?: string[]
  where?: string
  range: TailRange
}

/** --type, --stream, --where and time bounds as one predicate (undefined: keep everything). */
export function tailFilter(options: TailFilterOptions): ((event: Event) => boolean) | undefined {
  let where: ((event: Event) => boolean) | undefined
  if (options.where !== undefined) {
    let compiled
    try {
      compiled = compileExpression(options.where, { allowedRoots: WHERE_ROOTS })
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`--where: ${error.message}`, { suggestions: error.suggestions })
      throw error
    }
    // An event is its own scope: its fields are the expression's names.
    where = (event) => compiled.test(event as unknown as Record<string, unknown>)
  }
  const { from, until } = options.range
  return eventFilter({
    types: options.types,
    streams: options.streams,
    since: from.kind === 'time' ? from.time : undefined,
    until: until?.kind === 'time' ? until.time : undefined,
    where,
  })
}

/** The events of any source in a tail range. Kafka's client is loaded only for Kafka. */
export async function* tailEvents(source: EventSource, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  switch (source.kind) {
    case 'sqlite':
      yield* sqliteTail(source as SqliteSource, range, options)
      return
    case 'file':
      yield* fileTail(source as FileSource, range, options)
      return
    case 'kafka': {
      const { kafkaTail } = await import('./kafka-tail.js')
      yield* kafkaTail(source, range, options)
    }
  }
}

export interface TailRun {
  events: AsyncIterable<Event[]>
  upcasters?: UpcastChain
  filter?: (event: Event) => boolean
  limit?: number
  printer: EventPrinter
  out: OutputWriter
  /** Flush after every batch so that followed events show at once. */
  flushEachBatch: boolean
  /** Called after each batch is written (Kafka --group commits here). */
  afterBatch?: (batch: Event[]) => Promise<void>
}

/** Source -> upcast -> filter -> limit -> printer. Returns the number of events printed. */
export async function runTail(run: TailRun): Promise<number> {
  const { filter, printer, out } = run
  const limit = run.limit ?? Infinity
  const lift = run.upcasters !== undefined && run.upcasters.size > 0 ? run.upcasters : undefined
  const site = lift === undefined ? undefined : new FoldSite('', lift)
  let printed = 0
  await out.write(printer.begin())
  try {
    if (limit > 0) {
      for await (const batch of run.events) {
        // One string per batch: a write per event costs more than the formatting.
        printer.measure?.(batch)
        let chunk = ''
        let used = batch.length
        let done = false
        const print = () => {
          for (let i = 0; i < batch.length && !done; i++) {
            const stored = batch[i]
            site?.lifting(stored)
            const events = lift === undefined ? undefined : lift.apply(stored)
            if (events === undefined) {
              if (filter !== undefined && !filter(stored)) continue
              chunk += printer.event(stored)
              done = ++printed >= limit
            } else {
              for (const event of events) {
                if (filter !== undefined && !filter(event)) continue
                chunk += printer.event(event)
                if ((done = ++printed >= limit)) break
              }
            }
            if (done) used = i + 1
          }
        }
        // Upcasters are user code: run where Ctrl-C stops them (a call per batch, ~30 µs).
        if (site === undefined) print()
        else runUserCode(print, site.doing)
        await out.write(chunk)
        if (run.flushEachBatch || run.afterBatch) await out.flush()
        if (run.afterBatch) await run.afterBatch(used === batch.length ? batch : batch.slice(0, used))
        if (done) break
      }
    }
  } catch (error) {
    // What was printed before a bad row or line reaches stdout, not only the error; a JSON
    // array is closed, so stdout still parses (the error is on stderr, exit 2).
    await out.write(printer.end())
    await out.flush()
    throw error
  }
  await out.write(printer.end())
  await out.flush()
  return printed
}
