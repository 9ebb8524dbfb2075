import type { ChalkInstance } from 'chalk'
import type { KafkaSummary } from '../sources/kafka/kafka-source.js'
import type { SourceSummary } from '../sources/source.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const n = thousands

export const isKafkaSummary = (summary: SourceSummary): summary is KafkaSummary => summary.kind === 'kafka' && Array.isArray(summary.partitions)

/** `inspect` of a topic: partitions with low/high offsets and counts, and the groups reading it. */
export function renderKafkaSummary(summary: KafkaSummary, chalk: ChalkInstance): string[] {
  const lines: string[] = ['']
  lines.push(renderTable(
    [chalk.bold('PARTITION'), chalk.bold('LOW'), chalk.bold('HIGH'), chalk.bold('MESSAGES')],
    summary.partitions.map((p) => [p.partition, p.low, p.high, n(p.messages)]),
    { align: ['right', 'right', 'right', 'right'] },
  ))
  lines.push('')
  if (summary.groups.length === 0) {
    lines.push(chalk.dim('no consumer group reads this topic'))
  } else {
    lines.push(renderTable(
      [chalk.bold('CONSUMER GROUP'), chalk.bold('STATE'), chalk.bold('MEMBERS'), chalk.bold('LAG'), chalk.bold('COMMITTED (partition:offset)')],
      summary.groups.map((g) => [
        visible(g.groupId), visible(g.state), g.members, n(g.lag),
        g.partitions.map((p) => `${p.partition}:${p.committed ?? '-'}`).join(' '),
      ]),
      { align: ['left', 'left', 'right', 'right', 'left'] },
    ))
  }
  return lines
}
