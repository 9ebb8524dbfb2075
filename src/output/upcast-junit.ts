import junitModule, { type Builder } from 'junit-report-builder'
import { CHECK_NAMES, type UpcastCheckReport, type UpcastFailure } from '../upcast/report.js'
import { failureDiffLines, failureLocation } from './upcast-text.js'
import { visible } from '../events/terminal-text.js'
import { thousands } from './numbers.js'

// Its types describe the ES build; Node loads the CommonJS one, whose module.exports is the builder.
const builder = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder

const details = (failures: UpcastFailure[]): string =>
  failures.map((f) => [failureLocation(f), f.reason].filter((l) => l !== undefined).map((l) => visible(l)).concat(failureDiffLines(f).map((l) => `  ${l}`)).join('\n')).join('\n\n')

/**
 * `--reporter junit`: a test suite per fixture file with a test case for its golden and one per
 * check; a suite for the upcaster module (chain complete) and one for --against (a case per
 * type/version pair).
 */
export function renderUpcastJunit(report: UpcastCheckReport): string {
  const junit = builder.newBuilder().name('rewind upcast check')
  // XML 1.0 forbids most C0 characters and the builder drops them silently: shown escaped instead.
  const testCase = (suite: ReturnType<typeof junit.testSuite>, className: string, name: string, failures: UpcastFailure[], file?: string) => {
    const test = suite.testCase().className(visible(className)).name(visible(name))
    if (file !== undefined) test.file(visible(file))
    if (failures.length > 0) test.failure(visible(failures[0].reason), failures[0].check).stacktrace(details(failures))
    return test
  }

  const moduleSuite = junit.testSuite().name(visible(report.upcasters.file))
  testCase(moduleSuite, 'upcasters', 'chain complete', report.chain, report.upcasters.file)

  for (const c of report.cases) {
    const suite = junit.testSuite().name(visible(c.input))
    const golden = testCase(suite, c.name, `matches ${c.golden}`, c.failures.filter((f) => f.check === 'golden'), c.golden)
    // An upcaster failed on an input (reported under its check), so there was nothing to compare.
    if (c.outputEvents === undefined && !c.failures.some((f) => f.check === 'golden')) golden.skipped()
    for (const check of CHECK_NAMES) testCase(suite, c.name, check, c.failures.filter((f) => f.check === check), c.input)
  }

  if (report.against !== undefined) {
    const a = report.against
    const suite = junit.testSuite().name(visible(`against ${a.source}`))
    const failures = report.failures.filter((f) => f.check === 'against')
    for (const p of a.pairs) {
      const test = testCase(suite, `against ${a.source}`, `${p.type} v${p.schemaVersion} (${thousands(p.count)} events)`, failures.filter((f) => f.case === `${a.source} ${p.type} v${p.schemaVersion}`))
      if (!p.covered) test.standardOutput(visible(`no fixture covers ${p.type} v${p.schemaVersion}`))
    }
  }
  return junit.build()
}
