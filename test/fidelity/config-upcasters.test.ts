// Issue #15, item 10: one rule for every command. The upcasters named by --upcasters or the
// config file lift events before anything else, tail included; `tail --stored` shows what was stored.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli } from '../helpers.js'

let demo: string
/** Deposits over 400 counted from the rows themselves: v1/v2 keep the amount as a number, v3 as {value}. */
let over400: { all: number; storedAsV3: number }
beforeAll(async () => {
  demo = await makeDemo()
  const db = new Database(join(demo, 'bank.db'), { readonly: true })
  const rows = db.prepare(`SELECT event_data FROM events WHERE event_type = 'MoneyDeposited'`).all() as Array<{ event_data: string }>
  db.close()
  const amounts = rows.map((r) => JSON.parse(r.event_data).amount as number | { value: number })
  over400 = {
    all: amounts.filter((a) => (typeof a === 'number' ? a : a.value) > 400).length,
    storedAsV3: amounts.filter((a) => typeof a !== 'number' && a.value > 400).length,
  }
})

const count = (stdout: string) => stdout.trim().split('\n').filter((line) => line !== '').length

describe('the config file\'s upcasters apply to tail as to every command (issue #15, item 10)', () => {
  it('the demo\'s suggested tail finds every deposit over 400, whatever its stored schema', async () => {
    expect(over400.all).toBeGreaterThan(over400.storedAsV3)
    const result = await runCli(['tail', '@bank', '--type', 'Money*', '--where', 'data.amount.value > 400', '--format', 'ndjson'], { cwd: demo })
    expect(result.code, result.stderr).toBe(0)
    expect(count(result.stdout)).toBe(over400.all)
    const upcast = await runCli(['upcast', 'run', '@bank', '--type', 'Money*', '--where', 'data.amount.value > 400', '--format', 'ndjson'], { cwd: demo })
    expect(result.stdout).toBe(upcast.stdout)
  })

  it('--stored prints events as stored: only the deposits stored at v3 have amount.value', async () => {
    const result = await runCli(['tail', '@bank', '--stored', '--type', 'Money*', '--where', 'data.amount.value > 400', '--format', 'ndjson'], { cwd: demo })
    expect(count(result.stdout)).toBe(over400.storedAsV3)
  })

  it('--stored with --upcasters is a usage error', async () => {
    const result = await runCli(['tail', '@bank', '--stored', '--upcasters', 'upcasters.ts'], { cwd: demo })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--stored prints events as stored; it cannot be combined with --upcasters')
  })
})
