import type { ChalkInstance } from 'chalk'
import type { AssessedRow, LagMeasurement } from '../lag/report.js'
import { formatDuration, formatRate, type LagStatus, type Trend } from '../lag/status.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const num = (value: number | null | undefined) => (value === null || value === undefined ? '-' : thousands(value))

export const lagSecondsText = (seconds: number | null) => (seconds === null ? '-' : formatDuration(seconds * 1000))

/** "12/s, lag -30/s, ETA 42s": processing rate, lag direction and time to catch up. */
export function trendText(trend: Trend | undefined): string {
  if (trend === undefined || (trend.rate === undefined && trend.lagRate === undefined)) return '…'
  const parts: string[] = []
  if (trend.rate !== undefined) parts.push(`${formatRate(trend.rate).slice(1)}`)
  if (trend.lagRate !== undefined) parts.push(trend.lagRate === 0 ? 'lag steady' : `lag ${formatRate(trend.lagRate)}`)
  if (trend.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(trend.etaSeconds * 1000)}`)
  return parts.join(', ')
}

export function statusColor(chalk: ChalkInstance, status: LagStatus): (text: string) => string {
  switch (status) {
    case 'OK': return chalk.green
    case 'WARN': return chalk.yellow
    case 'STALLED': return chalk.magenta
    default: return chalk.red.bold
  }
}

interface Column {
  head: string
  align: 'left' | 'right'
  cell(row: AssessedRow): string
}

const left = (head: string, cell: Column['cell']): Column => ({ head, align: 'left', cell })
const right = (head: string, cell: Column['cell']): Column => ({ head, align: 'right', cell })

/**
 * Column headings and cells of the lag table. STATUS comes second so a narrow terminal cuts the
 * least important columns; Kafka rows get group/topic/partition; the watch view swaps UPDATED for TREND
 * (and leaves out TABLE when there is only one).
 */
export function lagTableCells(rows: AssessedRow[], options: { trend?: boolean } = {}): { head: string[]; cells: string[][]; align: Array<'left' | 'right'>; statusIndex: number } {
  const kafka = rows.some((r) => r.topic !== undefined)
  const status = left('STATUS', (r) => r.status)
  const columns: Column[] = kafka
    ? [
        left('GROUP', (r) => r.name), status, left('TOPIC', (r) => r.topic ?? ''), right('PARTITION', (r) => String(r.partition ?? '')),
        right('COMMITTED', (r) => num(r.position)), right('LOG-END', (r) => num(r.head)), right('LAG', (r) => num(r.lagEvents)),
        right('TIME LAG', (r) => lagSecondsText(r.lagSeconds)), left('CLIENT-ID', (r) => r.client ?? '-'), left('HOST', (r) => r.host ?? '-'),
      ]
    : [
        left('PROJECTION', (r) => r.name), status,
        // The watch view is for terminals: one table's name need not take a column.
        ...(options.trend === true && new Set(rows.map((r) => r.table)).size <= 1 ? [] : [left('TABLE', (r) => r.table ?? '')]),
        right('CHECKPOINT', (r) => num(r.position)),
        right('HEAD', (r) => num(r.head)), right('LAG', (r) => num(r.lagEvents)), right('TIME LAG', (r) => lagSecondsText(r.lagSeconds)),
        ...(options.trend === true ? [] : [left('UPDATED', (r) => r.updated ?? '-')]),
      ]
  if (options.trend === true) columns.push(left('TREND', (r) => trendText(r.trend)))
  return {
    head: columns.map((c) => c.head),
    // Names, tables, topics and client ids come from the store or the broker.
    cells: rows.map((r) => columns.map((c) => visible(c.cell(r)))),
    align: columns.map((c) => c.align),
    statusIndex: 1,
  }
}

/** `rewind lag` as text: the head, then one row per checkpoint (or group partition). */
export function renderLagTable(measurement: LagMeasurement, rows: AssessedRow[], chalk: ChalkInstance, options: { trend?: boolean } = {}): string {
  const { head, cells, align, statusIndex } = lagTableCells(rows, options)
  const coloured = cells.map((row, i) => row.map((cell, j) => (j === statusIndex ? statusColor(chalk, rows[i].status)(cell) : cell)))
  const lines: string[] = []
  if (measurement.head.position !== null || measurement.head.time !== null) {
    lines.push(`${chalk.bold('head')} ${num(measurement.head.position)}${measurement.head.time === null ? '' : ` at ${measurement.head.time}`}`, '')
  }
  lines.push(renderTable(head.map((h) => chalk.bold(h)), coloured, { align }))
  const reasons = rows.filter((r) => r.status !== 'OK')
  for (const r of reasons) lines.push(`${statusColor(chalk, r.status)(r.status)} ${visible(`${r.name}${r.partition === undefined ? '' : ` ${r.topic}/${r.partition}`}: ${r.reason}`)}`)
  return lines.join('\n')
}
