import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { rewindRunner, ROOT, type BenchContext, type BenchRow } from './context.js'
import { ensureBenchStore } from './store.js'
import sqliteSection from './sqlite.js'
import tailSection from './tail.js'
import interactiveSection from './interactive.js'
import upcastSection from './upcast.js'
import diffSection from './diff.js'
import replayTableSection from './replay-table.js'

/**
 * `npm run bench`: one store, every figure the issues name, each against a floor measured in
 * the same run. Sections register here; each returns rows for the table.
 */
const sections: Array<[string, (ctx: BenchContext) => Promise<BenchRow[]>]> = [
  ['sqlite', sqliteSection],
  ['tail', tailSection],
  ['interactive', interactiveSection],
  ['upcast', upcastSection],
  ['diff', diffSection],
  ['replay-table', replayTableSection],
]

const only = process.argv.slice(2)
const dir = join(ROOT, '.cache', 'bench')
if (!existsSync(dir)) mkdirSync(dir, { recursive: true })
const log = (message: string) => process.stderr.write(`${message}\n`)
const { store, reducer } = await ensureBenchStore(dir, log)
const ctx: BenchContext = { store, reducer, dir, rewind: rewindRunner(), log }

const rows: Array<BenchRow & { section: string }> = []
for (const [name, section] of sections) {
  if (only.length > 0 && !only.includes(name)) continue
  log(`# ${name}`)
  for (const row of await section(ctx)) rows.push({ section: name, ...row })
}

const fmt = (v: number) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1))
const table = rows.map((r) => [r.section, r.measure, `${fmt(r.value)} ${r.unit}`, r.goal ?? '', r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED'])
const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[['SECTION', 'MEASURE', 'VALUE', 'GOAL', ''][i], ...table.map((r) => r[i])].map((c) => c.length)))
const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
console.log(line(['SECTION', 'MEASURE', 'VALUE', 'GOAL', '']))
for (const r of table) console.log(line(r))
if (rows.some((r) => r.pass === false)) process.exitCode = 1
