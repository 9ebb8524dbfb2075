import type { Event } from '../events/event.js'
import { maxPosition, nextPosition, type ExactPosition } from '../events/position.js'
import type { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { sleep, type TailReadOptions } from './options.js'
import type { TailRange } from './range.js'

/**
 * The positions a tail range covers now: from (undefined: the beginning) through until (null:
 * the store is empty, or the range is). A time bound is left to the caller's filter.
 */
export function sqliteTailBounds(source: SqliteSource, range: TailRange): { from?: ExactPosition; until: ExactPosition | null } {
  const head = source.headPosition()
  let from: ExactPosition | undefined
  switch (range.from.kind) {
    case 'end': from = head === null ? undefined : nextPosition(head); break
    case 'last': from = source.positionFromEnd(range.from.count) ?? undefined; break
    case 'position': from = range.from.position; break
    default: from = undefined // beginning; a time is filtered by the caller
  }
  let until: ExactPosition | null
  switch (range.until?.kind) {
    case 'position': until = range.until.position; break
    case 'last': until = source.positionFromEnd(range.until.count); break
    default: until = head // end snapshot, a time (filtered by the caller), or follow's starting point
  }
  return { from, until }
}

/**
 * Events of a SQLite store in a tail range, then (with follow) every event committed later.
 * Each poll reads (last seen, head]: SQLite has one writer at a time and assigns positions
 * inside the writing transaction, so once the head is visible every row before it is committed
 * (or rolled back for good). Nothing is missed or read twice, and no transaction stays open
 * between polls, so a WAL writer is never held back.
 */
export async function* sqliteTail(source: SqliteSource, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  const { from, until } = sqliteTailBounds(source, range)
  if (until !== null && (from === undefined || from <= until)) {
    for await (const batch of source.batches({ ...options.read, fromPosition: from, untilPosition: until })) {
      if (options.signal.aborted) return
      yield batch
    }
  }
  if (!range.follow) return

  let next = maxPosition(from ?? 0, until === null ? 0 : nextPosition(until))
  while (!options.signal.aborted) {
    await sleep(options.intervalMs, options.signal)
    if (options.signal.aborted) return
    const now = source.headPosition()
    if (now === null || now < next) continue
    for await (const batch of source.batches({ ...options.read, fromPosition: next, untilPosition: now })) yield batch
    next = nextPosition(now)
  }
}
