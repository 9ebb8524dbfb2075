import type { UpcastCheckReport } from '../upcast/report.js'
import { failureDiffLines } from './upcast-text.js'
import { visible } from '../events/terminal-text.js'

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions: %, CR and LF
// are escaped as documented; other control characters are shown escaped, as everywhere else.
const escapeData = (text: string) => visible(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'))
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** `--reporter github`: one ::error annotation per failure (on the fixture file and line), ::warning per warning. */
export function renderUpcastGithub(report: UpcastCheckReport): string {
  const lines: string[] = []
  for (const f of report.failures) {
    const props = [f.file === undefined ? undefined : `file=${escapeProperty(f.file)}`, f.line === undefined ? undefined : `line=${f.line}`, `title=${escapeProperty(`upcast check: ${f.check}`)}`]
    const message = [f.reason, ...failureDiffLines(f).map((l) => `  ${l}`)].join('\n')
    lines.push(`::error ${props.filter((p) => p !== undefined).join(',')}::${escapeData(message)}`)
  }
  for (const warning of report.warnings) lines.push(`::warning title=${escapeProperty('upcast check')}::${escapeData(warning)}`)
  return lines.join('\n')
}
