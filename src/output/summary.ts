import type { ChalkInstance } from 'chalk'
import type { SourceSummary } from '../sources/source.js'
import { isKafkaSummary, renderKafkaSummary } from './kafka-summary.js'
import { renderTable } from './table.js'
import { typeWithSchema } from './event-format.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const n = thousands

/** `rewind inspect` as text: what the source is, how it was read, and what it holds. */
export function renderSummary(summary: SourceSummary, chalk: ChalkInstance): string {
  const lines: string[] = []
  const label = (text: string) => chalk.bold(text.padEnd(11))
  lines.push(`${label('source')}${visible(summary.source)} (${summary.kind}${summary.preset === undefined ? '' : `, preset ${summary.preset}`})`)
  if (summary.mapping !== undefined) {
    const { table, ...columns } = summary.mapping
    const parts = Object.entries(columns).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)
    lines.push(`${label('mapping')}${visible(`table ${table}: ${parts.join(' ')}`)}`)
  }
  lines.push(`${label('events')}${n(summary.events)} in ${n(summary.streams)} stream${summary.streams === 1 ? '' : 's'}`)
  if (summary.firstPosition !== null) lines.push(`${label('positions')}${visible(`${summary.firstPosition} .. ${summary.lastPosition}`)}`)
  if (summary.firstTime !== null) lines.push(`${label('time')}${visible(`${summary.firstTime} .. ${summary.lastTime}`)}`)
  if (summary.types.length > 0) {
    lines.push('', renderTable(
      [chalk.bold('TYPE'), chalk.bold('EVENTS')],
      summary.types.map((t) => [typeWithSchema(t.type, t.schemaVersion), n(t.count)]),
      { align: ['left', 'right'] },
    ))
  }
  if (summary.checkpoints.length > 0) {
    lines.push('', renderTable(
      [chalk.bold('CHECKPOINT TABLE'), chalk.bold('NAME'), chalk.bold('POSITION'), chalk.bold('UPDATED')],
      summary.checkpoints.map((c) => [c.table, c.name, c.position ?? '-', c.updated ?? '-'].map((cell) => visible(String(cell)))),
    ))
  } else if (isKafkaSummary(summary)) {
    lines.push(...renderKafkaSummary(summary, chalk))
  } else if (summary.kind === 'sqlite') {
    lines.push('', chalk.dim('no checkpoint tables found (looked for emt_processors, emt_subscriptions, tracking, mt_event_progression)'))
  }
  return lines.join('\n')
}
