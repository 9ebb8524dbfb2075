import { Box, render, Text } from 'ink'
import type { LagStatus } from '../lag/status.js'
import type { AssessedRow, LagMeasurement } from '../lag/report.js'
import { lagTableCells } from '../output/lag-table.js'
import { visible } from '../events/terminal-text.js'

export interface LagWatchProps {
  /** "rewind lag bank.db" */
  title: string
  intervalMs: number
  windowMs: number
  measurement?: LagMeasurement
  rows: AssessedRow[]
  /** Set when the last measurement failed; the table keeps the previous one. */
  error?: string
  color?: boolean
}

const STATUS_COLORS: Record<LagStatus, string> = { OK: 'green', WARN: 'yellow', STALLED: 'magenta', STOPPED: 'red', FAIL: 'red' }

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`

/** The --watch view: the lag table with a trend column, refreshed in place, and why each row is not OK. */
export function LagWatchView({ title, intervalMs, windowMs, measurement, rows, error, color = true }: LagWatchProps) {
  const { head, cells, align, statusIndex } = lagTableCells(rows, { trend: true })
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)))
  const pad = (text: string, i: number) => (align[i] === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]))
  const line = (row: string[], key: string, status: LagStatus) => (
    <Text key={key} wrap="truncate-end">
      {row.map((cell, i) => (i === statusIndex
        ? <Text key={i} color={color ? STATUS_COLORS[status] : undefined} bold={status !== 'OK'}>{`${pad(cell, i)}  `}</Text>
        : `${pad(cell, i)}${i === row.length - 1 ? '' : '  '}`))}
    </Text>
  )
  const at = measurement === undefined ? '' : new Date(measurement.at).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{visible(title)}</Text>
        <Text dimColor>{`  every ${seconds(intervalMs)}, window ${seconds(windowMs)}  ${at}  (Ctrl-C to quit)`}</Text>
      </Text>
      {measurement !== undefined && measurement.head.position !== null && (
        <Text dimColor>{`head ${measurement.head.position.toLocaleString('en-US')}${measurement.head.time === null ? '' : ` at ${visible(measurement.head.time)}`}`}</Text>
      )}
      <Text> </Text>
      {measurement === undefined ? <Text dimColor>measuring…</Text> : (
        <Box flexDirection="column">
          <Text bold wrap="truncate-end">{head.map((h, i) => pad(h, i)).join('  ')}</Text>
          {cells.map((row, i) => line(row, String(i), rows[i].status))}
        </Box>
      )}
      {rows.filter((r) => r.status !== 'OK').map((r, i) => (
        <Text key={`reason-${i}`}>
          <Text color={color ? STATUS_COLORS[r.status] : undefined}>{r.status}</Text>
          {` ${visible(`${r.name}${r.partition === undefined ? '' : ` ${r.topic}/${r.partition}`}: ${r.reason}`)}`}
        </Text>
      ))}
      {error !== undefined && <Text color={color ? 'red' : undefined}>{`last measurement failed: ${visible(error)}`}</Text>}
    </Box>
  )
}

/** Mounts the view on the terminal; `update` re-renders in place, `stop` leaves the last frame on screen. */
export function startLagWatchView(props: LagWatchProps): { update(next: Partial<LagWatchProps>): void; stop(): void } {
  let current = props
  const instance = render(<LagWatchView {...current} />, { exitOnCtrlC: false, patchConsole: false })
  return {
    update(next) {
      current = { ...current, ...next }
      instance.rerender(<LagWatchView {...current} />)
    },
    stop() {
      instance.unmount()
    },
  }
}
