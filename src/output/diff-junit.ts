import junit, { type Builder } from 'junit-report-builder'
import type { DiffReport } from '../projections/diff.js'
import { inlineValue } from './json.js'
import { visible } from '../events/terminal-text.js'

/** JUnit XML for CI: one test case per key, in key order; drifted, missing and extra keys fail. */
export function renderDiffJunit(report: DiffReport, suiteName: string): string {
  // The package's types declare an ES default, but under NodeNext the CJS module.exports is the default.
  const builder = (junit as unknown as Builder).newBuilder()
  // XML 1.0 forbids most C0 characters and the builder drops them silently: shown escaped instead.
  const suite = builder.testSuite().name(visible(suiteName))
  const cases: Array<[string, (name: string) => void]> = []
  const testCase = (name: string) => suite.testCase().className(visible(suiteName)).name(visible(name))
  for (const row of report.json.drifted) {
    const why = row.explanation === undefined ? [] : [`why: ${visible(row.explanation)}`]
    const fields = row.fields.map((f) => `${visible(f.field)}: projection ${inlineValue(f.projection, 200)}, replay ${inlineValue(f.replay, 200)}`)
    const message = `drifted: ${row.fields.map((f) => f.field).join(', ')}${row.explanation === undefined ? '' : `; ${row.explanation}`}`
    cases.push([row.key, (name) => testCase(name).failure(visible(message), 'drift').stacktrace([...fields, ...why].join('\n'))])
  }
  for (const key of report.json.missing) cases.push([key, (name) => testCase(name).failure('missing: the replay has this stream, the projection has no row', 'missing')])
  for (const key of report.json.extra) cases.push([key, (name) => testCase(name).failure('extra: the projection has this row, the replay has no such stream', 'extra')])
  for (const key of report.matchedKeys ?? []) cases.push([key, (name) => testCase(name)])
  cases.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, add] of cases) add(key)
  return builder.build()
}
