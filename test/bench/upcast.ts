import Database from 'better-sqlite3'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchContext, BenchRow } from './context.js'
import { BENCH_EVENTS } from './store.js'

// Lifts every type of the bench store (all stored as v1) by one version: every event takes a step.
const UPCASTERS = `const money = (e) => ({ ...e, data: { amount: { value: e.data.amount, currency: e.data.currency }, reference: e.data.reference } })
export default [
  { type: 'AccountOpened', from: 1, to: 2, up: (e) => ({ ...e, data: { ...e.data, kind: 'personal' } }) },
  { type: 'MoneyDeposited', from: 1, to: 2, up: money },
  { type: 'MoneyWithdrawn', from: 1, to: 2, up: money },
]
`

const FIXTURE = [
  { type: 'AccountOpened', stream: 'account-1', data: { owner: 'owner 1', currency: 'EUR' } },
  { type: 'MoneyDeposited', stream: 'account-1', data: { amount: 5, currency: 'EUR', reference: 'ref-1' } },
  { type: 'MoneyWithdrawn', stream: 'account-1', data: { amount: 2, currency: 'EUR', reference: 'ref-2' } },
]

/** The floor: read every row and parse its data and metadata, nothing else. */
function floor(store: string): number {
  const db = new Database(store, { readonly: true })
  const started = process.hrtime.bigint()
  const rows = db.prepare('SELECT id, stream_id, version, event_type, event_data, metadata, created_at FROM events ORDER BY id').raw(true).iterate() as IterableIterator<unknown[]>
  for (const row of rows) {
    JSON.parse(row[4] as string)
    JSON.parse(row[5] as string)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  db.close()
  return seconds
}

export default async function upcastSection(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = join(ctx.dir, 'upcast')
  mkdirSync(join(dir, 'fixtures'), { recursive: true })
  const upcasters = join(dir, 'bench-upcasters.mjs')
  writeFileSync(upcasters, UPCASTERS)
  writeFileSync(join(dir, 'fixtures', 'bench.in.ndjson'), FIXTURE.map((e) => JSON.stringify(e)).join('\n') + '\n')
  const update = await ctx.rewind(['upcast', 'check', join(dir, 'fixtures'), '--upcasters', upcasters, '--update'])
  if (update.code !== 0) throw new Error(`rewind upcast check --update failed: ${update.stderr}`)

  // Interleaved, so a busy machine slows the floor and the check alike.
  const check = async (extra: string[]) => {
    const run = await ctx.rewind(['upcast', 'check', join(dir, 'fixtures'), '--upcasters', upcasters, '--against', ctx.store, '--json', ...extra], { capture: true })
    if (run.code !== 0) throw new Error(`rewind upcast check --against ${extra.join(' ')} failed (exit ${run.code}): ${run.stderr}`)
    const doc = JSON.parse(run.stdout) as { against: { events: number; failed: number } }
    if (doc.against.events !== BENCH_EVENTS || doc.against.failed !== 0) throw new Error(`upcast check --against read ${doc.against.events} events, ${doc.against.failed} failed`)
    return run
  }
  // The default starts a thread per idle core; --workers 1 is the one-thread figure.
  const floors: number[] = []
  const runs = []
  const single = []
  for (let i = 0; i < 3; i++) {
    floors.push(floor(ctx.store))
    runs.push(await check([]))
    single.push(await check(['--workers', '1']))
  }
  const floorRate = BENCH_EVENTS / floors.sort((a, b) => a - b)[1]
  const rate = BENCH_EVENTS / runs.sort((a, b) => a.seconds - b.seconds)[1].seconds
  const peak = Math.max(...runs.map((r) => r.peakRssMiB))
  const oneThread = BENCH_EVENTS / single.sort((a, b) => a.seconds - b.seconds)[1].seconds
  const singlePeak = Math.max(...single.map((r) => r.peakRssMiB))
  return [
    { measure: '(a) floor: read rows, parse data and metadata', value: floorRate, unit: 'events/s' },
    { measure: '(b) upcast check --against, whole process (default threads)', value: rate, unit: 'events/s', goal: '>= 200,000 events/s', pass: rate >= 200_000 },
    { measure: '(b) check / floor throughput', value: rate / floorRate, unit: 'x' },
    { measure: '(b) check peak RSS', value: peak, unit: 'MiB', goal: '< 250 MiB', pass: peak < 250 },
    { measure: '(b) the same with --workers 1', value: oneThread, unit: 'events/s' },
    { measure: '(b) --workers 1 / floor throughput', value: oneThread / floorRate, unit: 'x' },
    { measure: '(b) --workers 1 peak RSS', value: singlePeak, unit: 'MiB', goal: '< 250 MiB', pass: singlePeak < 250 },
  ]
}
