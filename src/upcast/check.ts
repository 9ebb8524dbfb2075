import type { EventSource } from '../sources/source.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { pairKey, checkAgainst, type AgainstOptions } from './against.js'
import { UpcastChain, upcasterLabel } from './chain.js'
import { analyzeChain } from './completeness.js'
import { displayPath } from '../output/display-path.js'
import { checkAgainstInWorkers } from './parallel-against.js'
import { findCases, readCase, type FixtureCase } from './fixtures.js'
import { writeGolden } from './golden-writer.js'
import { loadUpcasterList } from './load-upcasters.js'
import { CHECK_NAMES, type CheckSummary, type GoldenUpdate, type UpcastCheckJson, type UpcastCheckReport, type UpcastFailure } from './report.js'
import { runCase, type CaseTally } from './run-case.js'
import { UserError } from '../errors.js'
import { runUserCode } from '../modules/user-code.js'
import { thousands } from '../output/numbers.js'

export interface UpcastCheckOptions {
  dir: string
  upcasters: string
  /** Write or refresh the .out files from what the chain produces. */
  update?: boolean
  /** Also run the chain over every event this source holds. */
  against?: {
    source: EventSource
    name: string
    read?: AgainstOptions['read']
    /** Threads for a SQLite source (the split is by position); 1 reads in this thread. */
    workers?: number
  }
  onProgress?: (events: number) => void
}

function summarize(name: (typeof CHECK_NAMES)[number], failures: UpcastFailure[], detail: string): CheckSummary {
  const count = failures.filter((f) => f.check === name).length
  return { name, passed: count === 0, failures: count, detail }
}

/**
 * `upcast check`: reads every fixture case (a bad line stops everything, exit 2, before any file
 * is written), runs each through the chain with the checks, optionally refreshes the goldens and
 * runs the chain over a real source.
 */
export async function runUpcastCheck(options: UpcastCheckOptions): Promise<UpcastCheckReport> {
  const list = await loadUpcasterList(options.upcasters)
  const shape = analyzeChain(list)
  const chain = new UpcastChain(shape.runnable)
  const found = findCases(options.dir)
  if (found.cases.length === 0 && options.against === undefined) {
    throw new UserError(`${options.dir}: no fixture cases (expected NAME.in.ndjson files, each with a NAME.out.ndjson golden; --update writes the goldens)`)
  }
  const fixtures: FixtureCase[] = found.cases.map(readCase)
  const upcastersFile = displayPath(options.upcasters)
  const chainFailures: UpcastFailure[] = shape.problems.map((p) => ({ case: upcastersFile, check: 'chain complete', file: upcastersFile, upcaster: p.upcasters.join(', '), reason: p.message }))

  const tally: CaseTally = { latestEvents: 0, liftedEvents: 0 }
  const cases = []
  const updated: GoldenUpdate[] = []
  for (const fixture of fixtures) {
    const outcome = runUserCode(() => runCase(fixture, chain, shape.latest, { update: options.update }), () => {
      const upcaster = chain.current
      return `${upcaster === undefined ? 'an upcaster' : `upcaster ${upcasterLabel(upcaster)}`} was lifting an event of ${displayPath(fixture.input)}`
    })
    tally.latestEvents += outcome.tally.latestEvents
    tally.liftedEvents += outcome.tally.liftedEvents
    cases.push(outcome.report)
    // Outputs of an impure or non-deterministic chain are no golden: leave the file as it is.
    const trusted = !outcome.report.failures.some((f) => f.check === 'purity' || f.check === 'determinism')
    if (options.update === true && outcome.outputs !== undefined && trusted) updated.push(writeGolden(fixture, outcome.outputs))
  }

  const warnings = found.orphanGoldens.map((f) => `${f} has no matching .in.ndjson; it is not checked`)
  let against: UpcastCheckReport['against']
  const againstFailures: UpcastFailure[] = []
  if (options.against !== undefined) {
    const covered = new Set(fixtures.flatMap((f) => f.inputs.map((i) => pairKey(i.event.type, i.event.schemaVersion))))
    const { source, name, read, workers = 1 } = options.against
    const result = workers > 1 && source instanceof SqliteSource
      ? await checkAgainstInWorkers(source, { workers, upcastersFile: options.upcasters, covered, name, read, onProgress: options.onProgress })
      : await checkAgainst(source, chain, shape.latest, { covered, name, read, onProgress: options.onProgress })
    against = result.report
    againstFailures.push(...result.failures)
    for (const pair of against.pairs) {
      if (!pair.covered) warnings.push(`${pair.type} v${pair.schemaVersion} (${thousands(pair.count)} events in ${against.source}): no fixture covers it; add a case with such an event`)
    }
  }

  const caseFailures = cases.flatMap((c) => c.failures)
  const all = [...chainFailures, ...caseFailures]
  const latestText = [...shape.latest].map(([type, v]) => `${type} v${v}`).join(', ')
  const checks: CheckSummary[] = [
    summarize('chain complete', all, latestText === '' ? 'no upcasters' : `every type reaches its latest version (${latestText})`),
    summarize('purity', all, `no upcaster changed its (frozen) input`),
    summarize('determinism', all, `two runs of ${tally.liftedEvents} upcast ${tally.liftedEvents === 1 ? 'event' : 'events'} gave the same result`),
    summarize('latest unchanged', all, `${tally.latestEvents} ${tally.latestEvents === 1 ? 'event' : 'events'} already at the latest version passed through unchanged`),
    summarize('envelope preserved', all, 'stream, position, time, eventId, correlationId and causationId kept'),
  ]
  return {
    dir: displayPath(options.dir),
    upcasters: { file: upcastersFile, count: list.length, latest: Object.fromEntries(shape.latest) },
    cases,
    chain: chainFailures,
    checks,
    against,
    updated: options.update === true ? updated : undefined,
    warnings,
    failures: [...all, ...againstFailures],
  }
}

/** The stable JSON document (DESIGN.md). */
export function upcastCheckJson(report: UpcastCheckReport): UpcastCheckJson {
  return {
    cases: report.cases.length,
    passed: report.cases.filter((c) => c.failures.length === 0).length,
    failed: report.failures,
    checks: report.checks.map(({ name, passed, failures }) => ({ name, passed, failures })),
    upcasters: report.upcasters,
    ...(report.against === undefined ? {} : { against: report.against }),
    ...(report.updated === undefined ? {} : { updated: report.updated }),
    warnings: report.warnings,
  }
}
