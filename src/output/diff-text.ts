import type { ChalkInstance } from 'chalk'
import { describeTarget } from '../projections/columns.js'
import type { DiffReport } from '../projections/diff.js'
import { inlineValue } from './json.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const MAX_LISTED = 20

function listKeys(keys: string[]): string {
  const shown = visible(keys.slice(0, MAX_LISTED).join(', '))
  return keys.length > MAX_LISTED ? `${shown}, ... (${keys.length - MAX_LISTED} more; --json lists all)` : shown
}

/** `rewind diff` as text: what was compared with what, each drifted row with its explanation, the counts. */
export function renderDiffText(report: DiffReport, context: { projection: string; source: string; as: string }, chalk: ChalkInstance): string {
  const { json, plan } = report
  const lines: string[] = []
  lines.push(`${chalk.bold(visible(context.projection))} vs replay of ${visible(`${context.source} ${context.as}`)}`)
  const compared = plan.compared.map((c) => (c.target.kind === 'state' && c.target.path.length === 1 && c.target.path[0] === c.column ? c.column : `${c.column} (${describeTarget(c.target)})`))
  lines.push(`${chalk.dim('compared:')} ${compared.length > 0 ? visible(compared.join(', ')) : 'nothing (no column has a counterpart in the replay; see --map)'}`)
  if (plan.uncompared.length > 0) lines.push(`${chalk.dim('not compared (no counterpart in the replay):')} ${visible(plan.uncompared.join(', '))}`)
  if (plan.ignored.length > 0) lines.push(`${chalk.dim('ignored (--ignore):')} ${visible(plan.ignored.join(', '))}`)

  for (const row of json.drifted) {
    lines.push('', `${chalk.red.bold('drifted')} ${chalk.bold(visible(row.key))}`)
    const table = renderTable(
      [chalk.bold('FIELD'), chalk.bold('PROJECTION'), chalk.bold('REPLAY')],
      row.fields.map((f) => [visible(f.field), inlineValue(f.projection, 50), inlineValue(f.replay, 50)]),
    )
    lines.push(...table.split('\n').map((line) => `  ${line}`))
    if (row.explanation !== undefined) lines.push(`  ${chalk.yellow('why:')} ${visible(row.explanation)}`)
  }
  if (json.missing.length > 0) lines.push('', `${chalk.red.bold('missing')} (replayed, no row in the projection): ${listKeys(json.missing)}`)
  if (json.extra.length > 0) lines.push('', `${chalk.red.bold('extra')} (a row, but no such stream in the replay): ${listKeys(json.extra)}`)

  const ok = json.drifted.length === 0 && json.missing.length === 0 && json.extra.length === 0
  const counts = `${thousands(json.compared)} compared: ${thousands(json.matched)} matched, ${thousands(json.drifted.length)} drifted, ${thousands(json.missing.length)} missing, ${thousands(json.extra.length)} extra`
  lines.push('', ok ? chalk.green(counts) : chalk.red(counts))
  return lines.join('\n')
}
