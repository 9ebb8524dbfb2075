import Database from 'better-sqlite3'
import { measureCommand, type BenchContext, type BenchRow } from './context.js'
import { BENCH_EVENTS } from './store.js'
import { SqliteSource } from '../../src/sources/sqlite/sqlite-source.js'
import { loadReducer } from '../../src/fold/reducer.js'
import { foldStream } from '../../src/fold/fold-stream.js'

/** (a) The floor: iterate raw rows, JSON.parse data and metadata, fold into a Map. */
function floor(store: string): number {
  const db = new Database(store, { readonly: true })
  const started = process.hrtime.bigint()
  const states = new Map<string, { balance: number; events: number; owner?: string }>()
  const rows = db.prepare('SELECT stream_id, event_type, event_data, metadata FROM events ORDER BY id').raw(true).iterate() as IterableIterator<[string, string, string, string]>
  for (const [stream, type, dataText, metaText] of rows) {
    const data = JSON.parse(dataText)
    JSON.parse(metaText)
    let state = states.get(stream)
    if (state === undefined) {
      state = { balance: 0, events: 0 }
      states.set(stream, state)
    }
    if (type === 'MoneyDeposited') state.balance += data.amount
    else if (type === 'MoneyWithdrawn') state.balance -= data.amount
    else if (type === 'AccountOpened') state.owner = data.owner
    state.events++
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  db.close()
  return seconds
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export default async function sqliteSection(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  // Interleaved, so a machine that gets busier (or quieter) meanwhile moves the floor and the replay alike.
  const floors: number[] = []
  const replays = []
  for (let i = 0; i < 3; i++) {
    floors.push(floor(ctx.store))
    replays.push(await ctx.rewind(['replay', ctx.store, '--reducer', ctx.reducer, '--format', 'ndjson']))
  }
  const floorRate = BENCH_EVENTS / median(floors)
  rows.push({ measure: '(a) floor: raw better-sqlite3 loop', value: floorRate, unit: 'events/s' })

  const failed = replays.find((r) => r.code !== 0)
  if (failed !== undefined) throw new Error(`rewind replay failed: ${failed.stderr}`)
  const replay = replays.sort((a, b) => a.seconds - b.seconds)[1]
  const replayRate = BENCH_EVENTS / replay.seconds
  rows.push({ measure: '(b) rewind replay, whole process', value: replayRate, unit: 'events/s' })
  rows.push({ measure: '(b) replay / floor throughput', value: replayRate / floorRate, unit: 'x', goal: '>= 0.8x', pass: replayRate / floorRate >= 0.8 })
  const peak = Math.max(...replays.map((r) => r.peakRssMiB))
  rows.push({ measure: '(b) replay peak RSS', value: peak, unit: 'MiB', goal: '< 250 MiB', pass: peak < 250 })

  const parallel = []
  for (let i = 0; i < 3; i++) parallel.push(await ctx.rewind(['replay', ctx.store, '--reducer', ctx.reducer, '--format', 'ndjson', '--workers', '2']))
  const twoThreads = parallel.sort((a, b) => a.seconds - b.seconds)[1]
  const parallelRatio = BENCH_EVENTS / twoThreads.seconds / floorRate
  const parallelPeak = Math.max(...parallel.map((r) => r.peakRssMiB))
  rows.push({ measure: '(b) replay --workers 2 / floor throughput', value: parallelRatio, unit: 'x', goal: '>= 0.8x', pass: parallelRatio >= 0.8 })
  rows.push({ measure: '(b) replay --workers 2 peak RSS', value: parallelPeak, unit: 'MiB', goal: '< 250 MiB', pass: parallelPeak < 250 })

  // (c) one ~100-event stream, in-process, warm; against the bare indexed read of the same rows.
  const raw = new Database(ctx.store, { readonly: true })
  const rowsOf = raw.prepare('SELECT id, stream_id, version, event_type, event_data, metadata, created_at FROM events WHERE stream_id = ? ORDER BY id').raw(true)
  const rawRead = (stream: string) => {
    let n = 0
    for (const row of rowsOf.iterate(stream) as IterableIterator<unknown[]>) {
      JSON.parse(row[4] as string)
      JSON.parse(row[5] as string)
      n++
    }
    return n
  }
  const source = new SqliteSource(ctx.store)
  const reducer = await loadReducer(ctx.reducer)
  const streams = Array.from({ length: 200 }, (_, i) => `account-${(i * 37) % 10_000}`)
  // Five rounds, alternating with the floor (the page cache and the other core make one round noisy); medians.
  const stateRounds: number[] = []
  const readRounds: number[] = []
  let events = 0
  for (let round = 0; round < 5; round++) {
    for (const s of streams.slice(0, 20)) await foldStream(source, s, { reducer })
    const started = process.hrtime.bigint()
    events = 0
    for (const s of streams) events += (await foldStream(source, s, { reducer })).events
    stateRounds.push(Number(process.hrtime.bigint() - started) / 1e6 / streams.length)
    for (const s of streams.slice(0, 20)) rawRead(s)
    const rawStarted = process.hrtime.bigint()
    for (const s of streams) rawRead(s)
    readRounds.push(Number(process.hrtime.bigint() - rawStarted) / 1e6 / streams.length)
  }
  const perState = median(stateRounds)
  const perRead = median(readRounds)
  raw.close()
  await source.close()
  rows.push({ measure: '(c) floor: indexed read of the same rows, JSON.parse (median of 5 rounds)', value: perRead, unit: 'ms' })
  rows.push({ measure: `(c) state of one stream in-process (avg ${Math.round(events / streams.length)} events, median of 5)`, value: perState, unit: 'ms', goal: '< 1 ms', pass: perState < 1 })

  const states = []
  for (let i = 0; i < 5; i++) states.push(await ctx.rewind(['state', ctx.store, 'account-4242', '--reducer', ctx.reducer]))
  const wall = median(states.map((r) => r.seconds)) * 1000
  rows.push({ measure: '(d) rewind state, whole process (median of 5)', value: wall, unit: 'ms', goal: '< 300 ms', pass: wall < 300 })
  const bare = []
  for (let i = 0; i < 5; i++) bare.push((await measureCommand(process.execPath, ['-e', '0'])).seconds)
  rows.push({ measure: '(d) context: bare `node -e 0` on this machine', value: median(bare) * 1000, unit: 'ms' })
  const version = []
  for (let i = 0; i < 5; i++) version.push((await ctx.rewind(['--version'])).seconds)
  rows.push({ measure: '(d) context: `rewind --version` (node + oclif)', value: median(version) * 1000, unit: 'ms' })
  return rows
}
