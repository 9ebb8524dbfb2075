import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchContext, BenchRow, CommandRun } from './context.js'

const RUNS = 3

const median = (runs: CommandRun[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]

async function measured(ctx: BenchContext, args: string[], expectCode: number, capture = false): Promise<CommandRun> {
  const run = await ctx.rewind(args, { capture })
  if (run.code !== expectCode) throw new Error(`rewind ${args.join(' ')} exited ${run.code} (expected ${expectCode}): ${run.stderr}`)
  return run
}

/**
 * `rewind diff` of a 10,000-row projection against the 1M-event store, next to `rewind replay`
 * of the same store: the diff is a replay plus reading and comparing the rows (goal <= 1.5x).
 */
export default async function diffSection(ctx: BenchContext): Promise<BenchRow[]> {
  const projection = join(ctx.dir, 'diff-projection.db')
  rmSync(projection, { force: true })
  ctx.log('writing the 10,000-row projection with rewind replay --out')
  const written = await ctx.rewind(['replay', ctx.store, '--reducer', ctx.reducer, '--out', `sqlite:${projection}#accounts`])
  if (written.code !== 0) throw new Error(`rewind replay --out failed: ${written.stderr}`)

  // Alternated, so that load from elsewhere on the machine weighs on both alike.
  const replays: CommandRun[] = []
  const diffs: CommandRun[] = []
  for (let i = 0; i < RUNS; i++) {
    replays.push(await measured(ctx, ['replay', ctx.store, '--reducer', ctx.reducer, '--format', 'ndjson'], 0))
    diffs.push(await measured(ctx, ['diff', ctx.store, '--projection', `sqlite:${projection}#accounts`, '--key', 'key', '--reducer', ctx.reducer, '--json'], 0))
  }
  const replay = median(replays)
  const diff = median(diffs)
  const ratio = diff.seconds / replay.seconds
  ctx.log(`replay ${replay.seconds.toFixed(2)} s, diff ${diff.seconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}x`)

  // The same diff with 10 drifted rows: each explanation refolds one stream read by index.
  const drifted = join(ctx.dir, 'diff-projection-drifted.db')
  rmSync(drifted, { force: true })
  const db = new Database(projection, { readonly: true })
  await db.backup(drifted)
  db.close()
  const edit = new Database(drifted)
  edit.prepare(`UPDATE accounts SET balance = balance + 1, state = json_set(state, '$.balance', json_extract(state, '$.balance') + 1) WHERE rowid % 1000 = 0`).run()
  edit.close()
  const explained = await measured(ctx, ['diff', ctx.store, '--projection', `sqlite:${drifted}#accounts`, '--key', 'key', '--reducer', ctx.reducer, '--json'], 1, true)
  const report = JSON.parse(explained.stdout) as { drifted: Array<{ explanation?: string }> }
  if (report.drifted.length !== 10) throw new Error(`expected 10 drifted rows, got ${report.drifted.length}`)

  return [
    { measure: 'rewind replay (1M events), whole process', value: replay.seconds, unit: 's' },
    { measure: 'rewind diff, 10,000-row projection, whole process', value: diff.seconds, unit: 's' },
    { measure: 'diff / replay time', value: ratio, unit: 'x', goal: '<= 1.5x', pass: ratio <= 1.5 },
    { measure: 'diff peak RSS', value: diff.peakRssMiB, unit: 'MiB' },
    { measure: 'diff with 10 drifted rows, explained', value: explained.seconds, unit: 's' },
  ]
}
