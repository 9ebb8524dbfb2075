import type { BenchContext, BenchRow, CommandRun } from './context.js'
import { ensureBenchStore } from './store.js'

const RUNS = 5
const STREAMS = 20_000

const median = (runs: CommandRun[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]

/**
 * Issue #16 item 7: `replay --format table` on 1M events in 20,000 streams costs at most 1 s more
 * than `--format ndjson` (the table was quadratic: ~27 s more at 20,000 streams).
 */
export default async function replayTableSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { store } = await ensureBenchStore(ctx.dir, ctx.log, STREAMS)
  const ndjson: CommandRun[] = []
  const table: CommandRun[] = []
  // Alternated, so that load from elsewhere on the machine weighs on both alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [format, runs] of [['ndjson', ndjson], ['table', table]] as const) {
      const run = await ctx.rewind(['replay', store, '--reducer', ctx.reducer, '--format', format])
      if (run.code !== 0) throw new Error(`rewind replay --format ${format} exited ${run.code}: ${run.stderr}`)
      runs.push(run)
    }
  }
  const extra = median(table).seconds - median(ndjson).seconds
  ctx.log(`ndjson ${median(ndjson).seconds.toFixed(2)} s, table ${median(table).seconds.toFixed(2)} s`)
  return [
    { measure: `replay --format ndjson, ${STREAMS.toLocaleString('en-US')} streams`, value: median(ndjson).seconds, unit: 's' },
    { measure: `replay --format table, ${STREAMS.toLocaleString('en-US')} streams`, value: median(table).seconds, unit: 's' },
    { measure: 'table - ndjson', value: extra, unit: 's', goal: '<= 1 s', pass: extra <= 1 },
  ]
}
