import { describe, expect, it } from 'vitest'
import type { LagMeasurement, LagRow } from './report.js'
import { LagWatcher, watchLoop } from './watch.js'

const row = (position: number, lagEvents: number): LagRow => ({ name: 'view', table: 't', position, head: position + lagEvents, lagEvents, lagSeconds: lagEvents === 0 ? 0 : 1, updated: null })
const at = (seconds: number, rows: LagRow[]): LagMeasurement => ({ head: { position: null, time: null }, rows, at: seconds * 1000 })

describe('LagWatcher', () => {
  it('remembers since when a checkpoint has not moved, long after those samples left the window', () => {
    const watcher = new LagWatcher({ windowMs: 10_000, thresholds: {} })
    watcher.add(at(0, [row(100, 0)]))
    watcher.add(at(2, [row(110, 5)]))
    let status = ''
    // Stuck at 110 with 5 waiting, sampled every 2 s for a minute.
    for (let t = 4; t <= 60; t += 2) status = watcher.add(at(t, [row(110, 5)]))[0].status
    expect(status).toBe('STOPPED')
    expect(watcher.add(at(62, [row(110, 5)]))[0].reason).toBe('checkpoint not updated for 1m')
  })

  it('reports the trend over the window: rate, direction and ETA', () => {
    const watcher = new LagWatcher({ windowMs: 10_000, thresholds: {} })
    watcher.add(at(0, [row(100, 40)]))
    const [assessed] = watcher.add(at(4, [row(140, 20)]))
    expect(assessed).toMatchObject({ status: 'OK', reason: 'catching up, ETA 4s', trend: { rate: 10, direction: 'shrinking', etaSeconds: 4 } })
  })
})

describe('watchLoop', () => {
  it('measures at once and then every interval until aborted, skipping failed measurements', async () => {
    const controller = new AbortController()
    const seen: number[] = []
    let calls = 0
    await watchLoop({
      intervalMs: 5,
      signal: controller.signal,
      measure: async () => (++calls === 2 ? undefined : at(calls, [])),
      onSample: (m) => {
        seen.push(m.at / 1000)
        if (seen.length === 3) controller.abort()
      },
    })
    expect(seen).toEqual([1, 3, 4])
  })
})
