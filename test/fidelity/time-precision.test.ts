// Issue #15, item 2: times keep the store's precision. Python eventsourcing keeps microseconds,
// and events saved together often share a millisecond: `--at` one of them must not take in the
// next. Expected values: fixtures/real/eventsourcing-modules/expected.json, written by
// eventsourcing 9.5.6 (each event's timestamp, and repository.get(id, version=N) after it).
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { compareTimes, normalizeStoredTime, parseTimeSpecText } from '../../src/events/time.js'
import { ROOT, runCli, tempDir } from '../helpers.js'

const FIXTURE = join(ROOT, 'fixtures', 'real', 'eventsourcing-modules')
interface Stream { timeline: Array<{ version: number; time: string }>; atVersion: Record<string, Record<string, unknown>> }
const streams = Object.entries((JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { streams: Record<string, Stream> }).streams)
/** Python's isoformat() in UTC as rewind writes times: `...T12:02:15.468051Z`. */
const utc = (time: string) => time.replace('+00:00', 'Z')

let store: string
beforeAll(() => {
  store = join(tempDir('rewind-precision-'), 'modules.db')
  copyFileSync(join(FIXTURE, 'modules.db'), store)
})

describe('microsecond times from a real eventsourcing store (issue #15, item 2)', () => {
  it('the fixture has events of one stream within one millisecond (else this proves nothing)', () => {
    const sameMs = streams.flatMap(([, s]) => s.timeline.slice(1).filter((t, i) => t.time.slice(0, 23) === s.timeline[i].time.slice(0, 23)))
    expect(sameMs.length).toBeGreaterThan(0)
  })

  it('each event\'s time is the library\'s timestamp, every digit', async () => {
    const events = (await runCli(['tail', store, '--format', 'ndjson'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; version: number; time: string })
    for (const [stream, want] of streams) {
      expect(events.filter((e) => e.stream === stream).map((e) => [e.version, e.time])).toEqual(want.timeline.map((t) => [t.version, utc(t.time)]))
    }
  })

  it.each(streams)('state %s --at each event\'s time equals repository.get() at that version', async (stream, want) => {
    for (const { version, time } of want.timeline) {
      const result = await runCli(['state', store, stream, '--at', utc(time), '--reducer', join(FIXTURE, 'reducer.mjs'), '--json'])
      expect(result.code, result.stderr).toBe(0)
      const got = JSON.parse(result.stdout)
      expect([got.version, got.as.time]).toEqual([version, utc(time)])
      expect(got.state).toEqual(want.atVersion[String(version)])
    }
  })

  it('tail --from/--until a microsecond time is inclusive at that instant, exclusive a microsecond away', async () => {
    const [stream, want] = streams.find(([, s]) => s.timeline.length > 1)!
    const second = utc(want.timeline[1].time)
    const versions = async (...flags: string[]) => (await runCli(['tail', store, '--stream', stream, ...flags, '--format', 'ndjson'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).version)
    expect(await versions('--until', second)).toEqual([1, 2])
    expect(await versions('--from', second)).toEqual(want.timeline.slice(1).map((t) => t.version))
  })
})

describe('time text', () => {
  it('keeps finer digits, converted to UTC', () => {
    expect(normalizeStoredTime('2026-11-25T19:29:27.257477+00:00')).toBe('2026-11-25T19:29:27.257477Z')
    expect(normalizeStoredTime('2026-11-25T21:29:27.123456789+02:00')).toBe('2026-11-25T19:29:27.123456789Z')
    expect(normalizeStoredTime('2026-11-25 19:29:27.9999999')).toBe('2026-11-25T19:29:27.9999999Z')
    expect(parseTimeSpecText('2026-11-25T19:29:27.257477Z')).toBe('2026-11-25T19:29:27.257477Z')
    expect(parseTimeSpecText('2026-11-25T19:29:27Z')).toBe('2026-11-25T19:29:27.000Z')
  })

  it('orders times of different precisions as instants', () => {
    expect(compareTimes('2026-11-25T19:29:27.257Z', '2026-11-25T19:29:27.257477Z')).toBeLessThan(0)
    expect(compareTimes('2026-11-25T19:29:27.3Z', '2026-11-25T19:29:27.257477Z')).toBeGreaterThan(0)
    expect(compareTimes('2026-11-25T19:29:27.257000Z', '2026-11-25T19:29:27.257Z')).toBe(0)
    expect(compareTimes('', '2026-11-25T19:29:27.257Z')).toBeLessThan(0)
  })
})
