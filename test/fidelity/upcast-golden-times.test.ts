// Issue #15, item 7: `upcast check` compares `time` as an instant, not as text.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempDir } from '../helpers.js'

function fixtureDir(goldenTime: string): string {
  const dir = tempDir('rewind-golden-time-')
  mkdirSync(join(dir, 'fx'))
  const input = { position: 1, stream: 'o-1', version: 1, type: 'OrderPlaced', schemaVersion: 1, time: '2025-06-01T10:00:01.000Z', data: { total: 5 }, meta: {} }
  writeFileSync(join(dir, 'fx', 'order.in.ndjson'), `${JSON.stringify(input)}\n`)
  // Written by hand: no milliseconds.
  writeFileSync(join(dir, 'fx', 'order.out.ndjson'), `${JSON.stringify({ type: 'OrderPlaced', schemaVersion: 2, time: goldenTime, data: { total: 5, currency: 'EUR' } })}\n`)
  writeFileSync(join(dir, 'up.mjs'), `export default [{ type: 'OrderPlaced', from: 1, to: 2, up: (e) => ({ ...e, data: { ...e.data, currency: 'EUR' } }) }]\n`)
  return dir
}

describe('upcast check: golden times are instants (issue #15, item 7)', () => {
  it('"2025-06-01T10:00:01Z" in a golden matches the event\'s "2025-06-01T10:00:01.000Z"', async () => {
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--json'], { cwd: fixtureDir('2025-06-01T10:00:01Z') })
    expect(result.code, result.stdout).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ cases: 1, passed: 1, failed: [] })
  })

  it('another instant still fails, naming the time', async () => {
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--json'], { cwd: fixtureDir('2025-06-01T10:00:02Z') })
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout).failed[0].diff).toEqual([{ path: 'time', kind: 'changed', expected: '2025-06-01T10:00:02Z', actual: '2025-06-01T10:00:01.000Z' }])
  })
})
