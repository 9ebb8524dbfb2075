import type { AssessedRow } from '../lag/report.js'
import { formatDuration, formatRate } from '../lag/status.js'
import { lagSecondsText } from './lag-table.js'
import { visible } from '../events/terminal-text.js'

/**
 * `lag --watch` without a terminal: one line per interval with every row, key=value for grep and logs:
 * `2026-11-25T19:40:02Z account_view lag=6 age=18d14h rate=0/s trend=steady status=STOPPED (checkpoint not updated for 18d 14h); ...`
 */
export function renderLagLine(at: number, rows: AssessedRow[]): string {
  const time = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const parts = rows.map((r) => {
    const fields = [r.partition === undefined ? r.name : `${r.name} ${r.topic}/${r.partition}`, `lag=${r.lagEvents ?? '-'}`, `age=${lagSecondsText(r.lagSeconds).replaceAll(' ', '')}`]
    const trend = r.trend
    if (trend?.rate !== undefined) fields.push(`rate=${formatRate(trend.rate).slice(1)}`)
    if (trend?.direction !== undefined) fields.push(`trend=${trend.direction === 'steady' ? 'steady' : `${trend.direction}(${formatRate(trend.lagRate!)})`}`)
    if (trend?.etaSeconds !== undefined) fields.push(`eta=${formatDuration(trend.etaSeconds * 1000).replaceAll(' ', '')}`)
    fields.push(`status=${r.status}${r.status === 'OK' ? '' : ` (${r.reason})`}`)
    return fields.join(' ')
  })
  return `${time} ${visible(parts.join('; '))}`
}
