// Issue #15, items 3 and 4, against a store written by Python eventsourcing 9.5.6 itself
// (fixtures/real/eventsourcing-modules: write_store.py, expected.json): two modules that both
// define Account.Opened, and a follower with multi-row tracking (SINGLE_ROW_TRACKING=f).
import Database from 'better-sqlite3'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT, runCli, tempDir } from '../helpers.js'

const FIXTURE = join(ROOT, 'fixtures', 'real', 'eventsourcing-modules')
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  streams: Record<string, { class: string; state: Record<string, unknown>; version: number }>
  topics: string[]
  tracking: { rows: Array<{ application_name: string; notification_id: number }>; head: number }
}

let dir: string
let store: string
beforeAll(() => {
  dir = tempDir('rewind-es-modules-')
  store = join(dir, 'modules.db')
  copyFileSync(join(FIXTURE, 'modules.db'), store)
})

describe('eventsourcing topics keep their module (issue #15, item 4)', () => {
  it('inspect lists crm:Account.Opened and billing:Account.Opened as two types', async () => {
    const result = await runCli(['inspect', store, '--json'])
    const types = (JSON.parse(result.stdout).types as Array<{ type: string; count: number }>).map((t) => [t.type, t.count])
    const counts = new Map<string, number>()
    for (const topic of expected.topics) counts.set(topic, (counts.get(topic) ?? 0) + 1)
    expect(new Map(types as Array<[string, number]>)).toEqual(counts)
  })

  it.each(Object.entries(expected.streams))('state of %s equals repository.get(), with a reducer keyed by whole topics', async (stream, want) => {
    const result = await runCli(['state', store, stream, '--reducer', join(FIXTURE, 'reducer.mjs'), '--json'])
    expect(result.code, result.stderr).toBe(0)
    const got = JSON.parse(result.stdout)
    expect(got.state).toEqual(want.state)
    expect(got.version).toBe(want.version)
  })

  it('--type matches with or without the module', async () => {
    const lines = async (type: string) => (await runCli(['tail', store, '--type', type, '--format', 'ndjson'])).stdout.trim().split('\n').map((l) => JSON.parse(l).type)
    expect(await lines('Account.Opened')).toEqual(expected.topics.filter((t) => t.endsWith(':Account.Opened')))
    expect(await lines('crm:Account.Opened')).toEqual(expected.topics.filter((t) => t === 'crm:Account.Opened'))
    expect(await lines('billing:*')).toEqual(expected.topics.filter((t) => t.startsWith('billing:')))
  })

  it('a reducer keyed by the class-qualified name alone still folds both modules (as before)', async () => {
    writeFileSync(join(dir, 'short.mjs'), `export default { init: () => ({ opened: 0 }), on: { 'Account.Opened': (s) => ({ opened: s.opened + 1 }) } }\n`)
    const result = await runCli(['replay', store, '--reducer', join(dir, 'short.mjs'), '--json'])
    const states = Object.values(JSON.parse(result.stdout).states) as Array<{ opened: number }>
    expect(states.map((s) => s.opened)).toEqual([1, 1, 1])
  })
})

describe('multi-row tracking is one checkpoint per application (issue #15, item 3)', () => {
  const upstream = [...new Set(expected.tracking.rows.map((r) => r.application_name))]
  const highest = Math.max(...expected.tracking.rows.map((r) => r.notification_id))

  it('lag and inspect show one row per application, at the highest notification id', async () => {
    expect(expected.tracking.rows.length).toBeGreaterThan(1)
    const lag = JSON.parse((await runCli(['lag', store, '--json'])).stdout)
    expect(lag.projections.map((p: { name: string; position: number; lagEvents: number }) => [p.name, p.position, p.lagEvents])).toEqual([[upstream[0], highest, expected.tracking.head - highest]])
    const inspect = JSON.parse((await runCli(['inspect', store, '--json'])).stdout)
    expect(inspect.checkpoints.map((c: { name: string; position: number }) => [c.name, c.position])).toEqual([[upstream[0], highest]])
  })

  it('--fail prints one FAIL line for the application, not one per tracking row', async () => {
    const result = await runCli(['lag', store, '--fail', '1'])
    expect(result.code).toBe(1)
    expect(result.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toHaveLength(1)
  })

  it('checkpoints beyond the store\'s own head (a follower\'s file) are exit 2 naming the way out, not "OK, lag 0"', async () => {
    const follower = join(dir, 'follower.db')
    copyFileSync(store, follower)
    const db = new Database(follower)
    db.prepare('DELETE FROM stored_events WHERE rowid > 2').run()
    db.close()
    const result = await runCli(['lag', follower])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`checkpoint "${upstream[0]}" (tracking) is at ${highest}, beyond the head of ${follower} (2): it tracks another store; run rewind lag UPSTREAM-STORE --checkpoint-db ${follower}`)
    const right = JSON.parse((await runCli(['lag', store, '--checkpoint-db', follower, '--json'])).stdout)
    expect(right.projections[0]).toMatchObject({ name: upstream[0], position: highest, lagEvents: expected.tracking.head - highest })
  })
})
