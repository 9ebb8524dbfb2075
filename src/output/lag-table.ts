import type { ChalkInstance } from 'chalk'
import type { AssessedRow, LagMeasurement } from '../lag/report.js'
import { formatDuration, formatRate, type LagStatus, type Trend } from '../lag/status.js'
import { renderTable } from './table.js'

const num = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value.toLocaleString('en-US'))

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

/** Column headings and cells of the lag table; Kafka rows get group/topic/partition columns. */
export function lagTableCells(rows: AssessedRow[], options: { trend?: boolean } = {}): { head: string[]; cells: string[][]; align: Array<'left' | 'right'> } {
  const kafka = rows.some((r) => r.topic !== undefined)
  const head = kafka
    ? ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'TIME LAG', 'CLIENT']
    : ['PROJECTION', 'TABLE', 'CHECKPOINT', 'HEAD', 'LAG', 'TIME LAG', 'UPDATED']
  const align: Array<'left' | 'right'> = kafka ? ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'] : ['left', 'left', 'right', 'right', 'right', 'right', 'left']
  if (options.trend === true) {
    head.push('TREND')
    align.push('left')
  }
  head.push('STATUS')
  align.push('left')
  const cells = rows.map((r) => {
    const base = kafka
      ? [r.name, r.topic ?? '', String(r.partition ?? ''), num(r.position), num(r.head), num(r.lagEvents), lagSecondsText(r.lagSeconds), r.client ?? '-']
      : [r.name, r.table ?? '', num(r.position), num(r.head), num(r.lagEvents), lagSecondsText(r.lagSeconds), r.updated ?? '-']
    if (options.trend === true) base.push(trendText(r.trend))
    base.push(r.status)
    return base
  })
  return { head, cells, align }
}

/** `rewind lag` as text: the head, then one row per checkpoint (or group partition). */
export function renderLagTable(measurement: LagMeasurement, rows: AssessedRow[], chalk: ChalkInstance, options: { trend?: boolean } = {}): string {
  const { head, cells, align } = lagTableCells(rows, options)
  const statusIndex = head.length - 1
  const coloured = cells.map((row, i) => row.map((cell, j) => (j === statusIndex ? statusColor(chalk, rows[i].status)(cell) : cell)))
  const lines: string[] = []
  if (measurement.head.position !== null || measurement.head.time !== null) {
    lines.push(`${chalk.bold('head')} ${num(measurement.head.position)}${measurement.head.time === null ? '' : ` at ${measurement.head.time}`}`, '')
  }
  lines.push(renderTable(head.map((h) => chalk.bold(h)), coloured, { align }))
  const reasons = rows.filter((r) => r.status !== 'OK')
  for (const r of reasons) lines.push(`${statusColor(chalk, r.status)(r.status)} ${r.name}${r.partition === undefined ? '' : ` ${r.topic}/${r.partition}`}: ${r.reason}`)
  return lines.join('\n')
}
