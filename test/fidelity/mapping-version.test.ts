// Issue #15, item 8: a column mapping without a version column numbers each stream's events
// itself; it never takes the version from the global-order column.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from '../helpers.js'

let store: string
const MAPPING = ['--table', 'journal', '--stream-column', 'entity', '--type-column', 'kind', '--data-column', 'body', '--position-column', 'seq']
beforeAll(() => {
  store = join(tempDir('rewind-mapping-'), 'journal.db')
  const db = new Database(store)
  db.exec(`CREATE TABLE journal (seq INTEGER PRIMARY KEY, entity TEXT, kind TEXT, body TEXT);
    INSERT INTO journal VALUES (1, 'a', 'X', '{"n":1}'), (2, 'b', 'X', '{"n":2}'), (3, 'a', 'Y', '{"n":3}'), (4, 'c', 'X', '{}')`)
  db.close()
})

describe('--position-column seq with no version column (issue #15, item 8)', () => {
  it('a one-event stream is at version 1, not at its global position', async () => {
    const result = await runCli(['state', store, 'c', ...MAPPING, '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 1, events: 1 })
  })

  it('a stream with events at positions 1 and 3 is at version 2, with no "version gap" warning', async () => {
    const result = await runCli(['state', store, 'a', ...MAPPING, '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 2, events: 2, warnings: [] })
  })

  it('inspect names no version column', async () => {
    const summary = JSON.parse((await runCli(['inspect', store, ...MAPPING, '--json'])).stdout)
    expect(summary.mapping).toEqual({ table: 'journal', stream: 'entity', type: 'kind', data: 'body', position: 'seq' })
  })
})
