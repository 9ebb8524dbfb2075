import type { ChalkInstance } from 'chalk'
import { describeDiff, diffWords } from '../upcast/compare.js'
import type { UpcastCheckReport, UpcastFailure } from '../upcast/report.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

const MAX_DIFF_LINES = 12

export const failureLocation = (f: UpcastFailure): string | undefined => (f.file === undefined ? undefined : f.line === undefined ? f.file : `${f.file}:${f.line}`)

/** The readable diff under a failure, one line per difference (capped). */
export function failureDiffLines(f: UpcastFailure): string[] {
  const diff = f.diff ?? []
  const lines = diff.slice(0, MAX_DIFF_LINES).map((d) => visible(describeDiff(d, diffWords(f.check))))
  if (diff.length > MAX_DIFF_LINES) lines.push(`... and ${diff.length - MAX_DIFF_LINES} more differences`)
  return lines
}

function renderFailure(f: UpcastFailure, chalk: ChalkInstance, indent: string): string[] {
  const where = visible(failureLocation(f) ?? '') || undefined
  const head = `${indent}${chalk.red(f.check)}${where === undefined ? '' : `  ${chalk.bold(where)}`}`
  return [head, `${indent}  ${visible(f.reason)}`, ...failureDiffLines(f).map((l) => `${indent}    ${l}`)]
}

const plural = (n: number, word: string) => `${thousands(n)} ${word}${n === 1 ? '' : 's'}`

/** The default report: each case, each check by name, --against pairs, goldens written, a summary. */
export function renderUpcastText(report: UpcastCheckReport, chalk: ChalkInstance): string {
  const ok = chalk.green('✓')
  const bad = chalk.red('✗')
  const out: string[] = []
  const latest = Object.entries(report.upcasters.latest).map(([t, v]) => `${visible(t)} v${v}`).join(', ')
  out.push(`upcasters  ${visible(report.upcasters.file)}: ${plural(report.upcasters.count, 'upcaster')}${latest === '' ? '' : ` (latest: ${latest})`}`)
  out.push(`fixtures   ${visible(report.dir)}: ${plural(report.cases.length, 'case')}`)
  out.push('')

  const width = Math.max(0, ...report.cases.map((c) => visible(c.name).length))
  for (const c of report.cases) {
    const counts = c.outputEvents === undefined || c.inputEvents === c.outputEvents ? plural(c.inputEvents, 'event') : `${plural(c.inputEvents, 'event')} -> ${c.outputEvents}`
    out.push(`${c.failures.length === 0 ? ok : bad} ${visible(c.name).padEnd(width)}  ${chalk.dim(counts)}`)
    for (const f of c.failures) out.push(...renderFailure(f, chalk, '    '))
  }
  if (report.chain.length > 0) {
    out.push(`${bad} ${visible(report.upcasters.file)}`)
    for (const f of report.chain) out.push(...renderFailure(f, chalk, '    '))
  }

  out.push('', chalk.bold('checks'))
  const checkWidth = Math.max(...report.checks.map((c) => c.name.length))
  for (const check of report.checks) {
    const text = check.passed ? chalk.dim(check.detail) : chalk.red(`${plural(check.failures, 'failure')} (see above)`)
    out.push(`${check.passed ? ok : bad} ${check.name.padEnd(checkWidth)}  ${text}`)
  }

  if (report.against !== undefined) {
    const a = report.against
    out.push('', chalk.bold(`against ${visible(a.source)}: ${thousands(a.events)} events`))
    const rows = a.pairs.map((p) => [
      visible(p.type), `v${p.schemaVersion}`, p.count, p.covered ? 'yes' : chalk.yellow('no'),
      p.failed === 0 ? chalk.green('ok') : chalk.red(visible(`${p.failed} failed; first at position ${p.firstFailure!.position} (stream ${p.firstFailure!.stream}): ${p.firstFailure!.reason}`)),
    ])
    out.push(renderTable(['TYPE', 'SCHEMA', 'EVENTS', 'FIXTURE', 'RESULT'], rows, { align: ['left', 'left', 'right', 'left', 'left'] }))
  }

  if (report.updated !== undefined) {
    out.push('', chalk.bold('goldens'))
    const unchanged = report.updated.filter((u) => u.status === 'unchanged')
    for (const u of report.updated.filter((x) => x.status !== 'unchanged')) {
      out.push(`${chalk.yellow(u.status)} ${visible(u.file)}${u.status === 'created' ? ` (${visible(u.changes.join(', '))})` : ''}`)
      if (u.status === 'updated') for (const change of u.changes) out.push(`    ${visible(change)}`)
    }
    if (unchanged.length > 0) out.push(chalk.dim(`${plural(unchanged.length, 'golden file')} unchanged`))
    const skipped = report.cases.length - report.updated.length
    if (skipped > 0) out.push(chalk.yellow(`${plural(skipped, 'golden file')} not written: the upcasters failed, or were impure or non-deterministic, on those cases`))
  }

  const passedCases = report.cases.filter((c) => c.failures.length === 0).length
  const failedChecks = report.checks.filter((c) => !c.passed).length
  const parts = [
    `${plural(report.cases.length, 'case')}: ${thousands(passedCases)} passed${report.cases.length - passedCases > 0 ? `, ${thousands(report.cases.length - passedCases)} failed` : ''}`,
    `checks: ${thousands(report.checks.length - failedChecks)} passed${failedChecks > 0 ? `, ${thousands(failedChecks)} failed` : ''}`,
  ]
  if (report.against !== undefined) parts.push(`against: ${thousands(report.against.events)} events, ${thousands(report.against.failed)} failed`)
  out.push('', `${report.failures.length === 0 ? ok : bad} ${parts.join(' · ')}`)
  return out.join('\n')
}
