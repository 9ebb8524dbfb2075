import type { ChalkInstance } from 'chalk'
import type { BlameRow, EventRef, StateResult, TraceRow } from '../fold/fold-stream.js'
import { typeColor } from './colors.js'
import { inlineValue, prettyJson } from './json.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const refText = (ref: EventRef) => visible(`${ref.version === undefined ? '' : `v${ref.version} `}${ref.type} @ ${ref.time} (position ${ref.position})`)

export function renderTrace(rows: TraceRow[], chalk: ChalkInstance): string {
  const versionWidth = Math.max(2, ...rows.map((r) => String(r.version ?? r.position).length + 1))
  const typeWidth = Math.max(...rows.map((r) => visible(r.type).length), 4)
  return rows
    .map((row) => {
      const id = row.version === undefined ? `#${row.position}` : `v${row.version}`
      const changes = row.changes.length === 0
        ? chalk.dim('(no change)')
        : row.changes.map((c) => `${chalk.bold(visible(c.path) || '(state)')}: ${chalk.red(inlineValue(c.before))} -> ${chalk.green(inlineValue(c.after))}`).join('  ')
      const flagged = row.warnings === undefined ? '' : `  ${chalk.yellow(`! ${visible(row.warnings.join('; '))}`)}`
      return `${id.padEnd(versionWidth)}  ${chalk.dim(visible(row.time))}  ${typeColor(chalk, row.type)(visible(row.type).padEnd(typeWidth))}  ${changes}${flagged}`
    })
    .join('\n')
}

export function renderBlame(rows: BlameRow[], chalk: ChalkInstance): string {
  return renderTable(
    [chalk.bold('FIELD'), chalk.bold('VALUE'), chalk.bold('LAST SET BY')],
    rows.map((r) => [visible(r.field) || '(state)', inlineValue(r.value, 40), r.event === null ? chalk.dim('(initial state)') : refText(r.event)]),
  )
}

/** The header line: which stream, which version, as of what. */
export function renderStateHeader(result: StateResult, chalk: ChalkInstance): string {
  const parts = [chalk.bold(visible(result.stream)), `version ${result.version}`, `(${thousands(result.events)} event${result.events === 1 ? '' : 's'} folded)`]
  const as = result.as
  if (as.time !== undefined) parts.push(`as of ${as.time}`)
  if (as.version !== undefined) parts.push(`up to version ${as.version}`)
  if (as.position !== undefined) parts.push(`up to position ${as.position}`)
  if (result.stoppedAt !== undefined) parts.push(`stopped after ${refText(result.stoppedAt)}`)
  return parts.join('  ')
}

export function renderState(result: StateResult, chalk: ChalkInstance): string {
  const sections: string[] = []
  if (result.trace !== undefined) sections.push(renderTrace(result.trace, chalk), '')
  sections.push(renderStateHeader(result, chalk))
  if (result.blame !== undefined) sections.push(renderBlame(result.blame, chalk))
  else sections.push(prettyJson(result.state, chalk))
  return sections.join('\n')
}
