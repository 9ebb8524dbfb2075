import type { CpuInfo } from 'node:os'
import { availableParallelism, cpus } from 'node:os'
import { UserError } from '../errors.js'

/** Below this many events, starting a thread costs more than it saves. */
const MIN_EVENTS = 20_000
export const MAX_THREADS = 4

/**
 * Threads worth a read of `events` events: one for a small or endless read (undefined); else
 * REWIND_THREADS when set, or one more per core that was idle since `since` (os.cpus() then),
 * never more than there are cores. A worker on a busy core only competes with the others: on 2
 * cores, a worker made the 200k-message Kafka bench 15-20% faster with the other core idle and
 * 20% slower with it busy.
 */
export function threadsFor(events: number | undefined, since: CpuInfo[], env: NodeJS.ProcessEnv = process.env): number {
  if (events === undefined || events < MIN_EVENTS) return 1
  const asked = env.REWIND_THREADS?.trim()
  if (asked !== undefined && asked !== '') {
    if (!/^\d+$/.test(asked) || Number(asked) < 1) throw new UserError(`REWIND_THREADS "${asked}": expected a number of threads, 1 to ${MAX_THREADS}`)
    return Math.min(Number(asked), MAX_THREADS)
  }
  // This process keeps about 1.4 cores busy while it starts (module loading, V8's compiler and GC
  // threads): an idle 2-core machine shows ~0.6 idle cores here, one with a core busy elsewhere ~0.
  return Math.min(MAX_THREADS, availableParallelism(), 1 + Math.floor(idleCores(since, cpus()) + 0.6))
}

/** How many cores' worth of time went idle between two os.cpus() readings (0 when unknown). */
export function idleCores(before: CpuInfo[], after: CpuInfo[]): number {
  if (before.length === 0 || before.length !== after.length) return 0
  let idle = 0
  let total = 0
  for (let i = 0; i < after.length; i++) {
    const a = before[i].times
    const b = after[i].times
    idle += b.idle - a.idle
    total += b.user + b.nice + b.sys + b.idle + b.irq - (a.user + a.nice + a.sys + a.idle + a.irq)
  }
  return total <= 0 ? 0 : (idle / total) * after.length
}

/** threadsFor a SQLite range of positions: the span stands in for a count, which would read the table. */
export function threadsForPositions(first: number | bigint | null, last: number | bigint | null, since: CpuInfo[], env: NodeJS.ProcessEnv = process.env): number {
  return first === null || last === null ? 1 : threadsFor(Number(last) - Number(first) + 1, since, env)
}
