import { render } from 'ink-testing-library'
import { describe, expect, it } from 'vitest'
import type { AssessedRow, LagMeasurement } from '../lag/report.js'
import { LagWatchView } from './lag-watch.js'

const measurement: LagMeasurement = { head: { position: 394, time: '2026-11-07T07:37:28.655Z' }, rows: [], at: Date.parse('2026-11-25T19:40:02Z') }
const rows: AssessedRow[] = [
  { name: 'account_view', table: 'mt_event_progression', position: 388, head: 394, lagEvents: 6, lagSeconds: 90, updated: '2026-11-07T04:53:40.144Z', status: 'STALLED', reason: 'checkpoint stuck at 388 for 12s', trend: { rate: 0, lagRate: 0, direction: 'steady' } },
  { name: 'notifications', table: 'mt_event_progression', position: 300, head: 394, lagEvents: 94, lagSeconds: 4, updated: null, status: 'OK', reason: 'catching up, ETA 9s', trend: { rate: 12, lagRate: -10, direction: 'shrinking', etaSeconds: 9.4 } },
]

describe('LagWatchView', () => {
  it('shows the table with trend and status, and why a row is not OK', () => {
    const { lastFrame } = render(<LagWatchView title="rewind lag @bank" intervalMs={2000} windowMs={20_000} measurement={measurement} rows={rows} color={false} />)
    const frame = lastFrame()!
    expect(frame).toContain('rewind lag @bank  every 2s, window 20s  2026-11-25 19:40:02 UTC')
    expect(frame).toContain('head 394 at 2026-11-07T07:37:28.655Z')
    expect(frame).toMatch(/PROJECTION\s+STATUS\s+CHECKPOINT\s+HEAD\s+LAG\s+TIME LAG\s+TREND/)
    expect(frame).toMatch(/account_view\s+STALLED\s+388\s+394\s+6\s+1m 30s\s+0\/s, lag steady/)
    expect(frame).toMatch(/notifications\s+OK\s+300\s+394\s+94\s+4s\s+12\/s, lag -10\/s, ETA 9s/)
    expect(frame).toContain('STALLED account_view: checkpoint stuck at 388 for 12s')
    expect(frame).not.toContain('OK notifications')
  })

  it('says it is measuring before the first sample, and shows a failed measurement without dropping the table', () => {
    expect(render(<LagWatchView title="rewind lag x" intervalMs={500} windowMs={5000} rows={[]} />).lastFrame()).toContain('measuring…')
    const frame = render(<LagWatchView title="rewind lag x" intervalMs={500} windowMs={5000} measurement={measurement} rows={rows} error="database is locked" />).lastFrame()!
    expect(frame).toContain('account_view')
    expect(frame).toContain('last measurement failed: database is locked')
  })
})
