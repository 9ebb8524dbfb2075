import type { Event } from '../events/event.js'
import { inlineValue } from '../output/json.js'
import { UpcastError, upcasterLabel, type UpcastChain, type Upcaster } from './chain.js'
import { describeDiff, structuralDiff, compareWithGolden } from './compare.js'
import { gapFor } from './completeness.js'
import { deepFreeze, isFrozenWrite, snapshot } from './deep-freeze.js'
import { envelopeChanges, envelopeValue, goldenOverrides, type EnvelopeField } from './envelope.js'
import type { FixtureCase, FixtureInput } from './fixtures.js'
import type { CaseReport, UpcastFailure } from './report.js'

interface Step {
  upcaster: Upcaster
  input: Event
  output: Event | Event[]
}

interface Run {
  outputs?: Event[]
  steps: Step[]
  error?: unknown
}

/** Counts behind the passing lines of the checks. */
export interface CaseTally {
  latestEvents: number
  liftedEvents: number
}

export interface CaseOutcome {
  report: CaseReport
  /** What the chain made of every input, in order (undefined when an upcaster failed). */
  outputs?: Array<{ event: Event; from: FixtureInput }>
  tally: CaseTally
}

const shown = (value: unknown): string => (value === undefined ? 'missing' : inlineValue(value))

const asArray = (value: Event | Event[]): Event[] => (Array.isArray(value) ? value : [value])

/** First run: every step's input is deep-frozen, so a strict-mode write throws. */
function frozenRun(chain: UpcastChain, event: Event): Run {
  const steps: Step[] = []
  try {
    const outputs = chain.applyWith(deepFreeze(snapshot(event)), (upcaster, input) => {
      const output = upcaster.up(deepFreeze(input))
      steps.push({ upcaster, input, output: snapshot(output) })
      return output
    })
    return { outputs, steps }
  } catch (error) {
    return { steps, error }
  }
}

/** Second run, on a fresh copy: catches writes that sloppy-mode code makes silently. */
function snapshotRun(chain: UpcastChain, event: Event, onWrite: (upcaster: Upcaster, changes: ReturnType<typeof structuralDiff>) => void): Run {
  const steps: Step[] = []
  try {
    const outputs = chain.applyWith(snapshot(event), (upcaster, input) => {
      const before = snapshot(input)
      const output = upcaster.up(input)
      const changes = structuralDiff(before, input)
      if (changes.length > 0) onWrite(upcaster, changes)
      steps.push({ upcaster, input: before, output: snapshot(output) })
      return output
    })
    return { outputs, steps }
  } catch (error) {
    return { steps, error }
  }
}

/** The upcaster whose step first changed an envelope field, if one did. */
function changedBy(steps: Step[], field: EnvelopeField): Upcaster | undefined {
  for (const step of steps) {
    const before = envelopeValue(step.input, field)
    if (asArray(step.output).some((out) => out === null || typeof out !== 'object' || !Object.is(envelopeValue(out, field), before))) return step.upcaster
  }
  return undefined
}

/**
 * Runs one fixture case: lifts each input twice (frozen, then on a copy), and checks the goldens,
 * completeness, purity, determinism, latest-unchanged and the envelope.
 */
export function runCase(fixture: FixtureCase, chain: UpcastChain, latest: Map<string, number>, options: { update?: boolean } = {}): CaseOutcome {
  const failures: UpcastFailure[] = []
  const tally: CaseTally = { latestEvents: 0, liftedEvents: 0 }
  const fail = (failure: Omit<UpcastFailure, 'case'>) => failures.push({ case: fixture.name, ...failure })
  const outputs: Array<{ event: Event; from: FixtureInput; steps: Step[] }> = []
  let complete = true

  for (const input of fixture.inputs) {
    const { event, line } = input
    const at = { file: fixture.input, line }
    const what = `${event.type} v${event.schemaVersion}`
    const inputGap = chain.next(event.type, event.schemaVersion) === undefined ? gapFor(event.type, event.schemaVersion, latest) : undefined
    if (inputGap !== undefined) fail({ check: 'chain complete', ...at, reason: `${what}: ${inputGap}` })
    const impure = new Set<Upcaster>()
    const first = frozenRun(chain, event)
    if (first.error !== undefined) {
      complete = false
      const error = first.error
      if (error instanceof UpcastError && isFrozenWrite(error.reason)) {
        impure.add(error.upcaster)
        fail({ check: 'purity', ...at, upcaster: upcasterLabel(error.upcaster), reason: `${upcasterLabel(error.upcaster)} changed its input ${what} (inputs are frozen): ${error.reason.message}` })
      } else {
        fail({ check: 'golden', ...at, upcaster: error instanceof UpcastError ? upcasterLabel(error.upcaster) : undefined, reason: `${what} could not be upcast: ${(error as Error).message ?? String(error)}` })
        continue
      }
    }
    const second = snapshotRun(chain, event, (upcaster, changes) => {
      if (impure.has(upcaster)) return
      impure.add(upcaster)
      fail({ check: 'purity', ...at, upcaster: upcasterLabel(upcaster), reason: `${upcasterLabel(upcaster)} changed its input ${what}`, diff: changes })
    })
    if (first.outputs === undefined) continue
    if (second.outputs !== undefined && impure.size === 0) {
      const differences = first.outputs.length === 1 && second.outputs.length === 1 ? structuralDiff(first.outputs[0], second.outputs[0]) : structuralDiff(first.outputs, second.outputs)
      if (differences.length > 0) {
        const at2 = first.steps.findIndex((step, i) => second.steps[i] === undefined || step.upcaster !== second.steps[i].upcaster || structuralDiff(step.output, second.steps[i].output).length > 0)
        const culprit = first.steps[Math.max(0, at2)]?.upcaster
        const label = culprit === undefined ? 'the chain' : upcasterLabel(culprit)
        fail({
          check: 'determinism', ...at, upcaster: culprit === undefined ? undefined : label,
          reason: `${label} gave different results for the same ${what} on two runs`,
          diff: differences,
        })
      }
    } else if (second.outputs === undefined && second.error !== undefined && first.outputs !== undefined && impure.size === 0) {
      fail({ check: 'determinism', ...at, reason: `${what} was upcast on the first run but failed on the second: ${(second.error as Error).message ?? String(second.error)}` })
    }

    const lifted = first.steps.length > 0
    if (lifted) tally.liftedEvents++
    else if (inputGap === undefined) {
      tally.latestEvents++
      const unchanged = first.outputs.length === 1 ? structuralDiff(event, first.outputs[0]) : undefined
      if (unchanged === undefined || unchanged.length > 0) {
        fail({ check: 'latest unchanged', ...at, reason: `${what} is at its latest version but the chain changed it: ${unchanged === undefined ? `${first.outputs.length} events came out` : unchanged.map((d) => describeDiff(d)).join('; ')}` })
      }
    }
    for (const out of first.outputs) {
      outputs.push({ event: out, from: input, steps: first.steps })
      if (lifted) {
        const gap = gapFor(out.type, out.schemaVersion, latest)
        if (gap !== undefined) fail({ check: 'chain complete', ...at, upcaster: upcasterLabel(first.steps[first.steps.length - 1].upcaster), reason: `${what} became ${out.type} v${out.schemaVersion}, then stopped: ${gap}` })
      }
      // Once lifted, an event is at its latest version: another pass must leave it alone.
      let again: Event[] | undefined
      try {
        again = chain.apply(out)
      } catch {
        again = undefined
      }
      const drift = again?.length === 1 ? structuralDiff(out, again[0]) : undefined
      if (lifted && (drift === undefined || drift.length > 0)) {
        fail({ check: 'latest unchanged', ...at, reason: `${what} came out as ${out.type} v${out.schemaVersion}, which the chain changes again when run over it: ${drift === undefined ? 'it does not come out as one event' : drift.map((d) => describeDiff(d)).join('; ')}` })
      }
    }
  }

  const expected = fixture.expected
  if (expected === undefined) {
    if (options.update !== true) fail({ check: 'golden', file: fixture.golden, reason: `no golden file ${fixture.golden}; run with --update to write it from what the upcasters produce` })
  } else if (complete && options.update !== true) {
    const n = Math.max(outputs.length, expected.length)
    for (let i = 0; i < n; i++) {
      const out = outputs[i]
      const golden = expected[i]
      if (out === undefined) {
        fail({ check: 'golden', file: fixture.golden, line: golden.line, reason: `expected ${inlineValue(golden.expected.type)} here, but the chain produced only ${outputs.length} events from ${fixture.inputs.length} inputs`, expected: golden.expected })
        continue
      }
      const from = `${fixture.input}:${out.from.line}`
      if (golden === undefined) {
        fail({ check: 'golden', file: fixture.golden, line: (expected[expected.length - 1]?.line ?? 0) + 1, reason: `the chain produced ${outputs.length} events, the golden file has ${expected.length}: unexpected ${out.event.type} v${out.event.schemaVersion} from ${from}`, actual: out.event })
        continue
      }
      const differences = compareWithGolden(out.event, golden.expected)
      if (differences.length > 0) {
        fail({
          check: 'golden', file: fixture.golden, line: golden.line,
          reason: `${out.event.type} v${out.event.schemaVersion} from ${from} differs from the golden`,
          expected: golden.expected, actual: out.event, diff: differences,
        })
      }
    }
  }

  if (complete) {
    outputs.forEach((out, i) => {
      if (out.steps.length === 0) return
      const golden = options.update === true ? undefined : expected?.[i]?.expected
      const changes = envelopeChanges(out.from.event, out.event, (field) => goldenOverrides(golden, field, out.from.event))
      if (changes.length === 0) return
      const culprit = changedBy(out.steps, changes[0].field)
      const label = culprit === undefined ? 'the chain' : upcasterLabel(culprit)
      fail({
        check: 'envelope preserved', file: fixture.input, line: out.from.line, upcaster: culprit === undefined ? undefined : label,
        reason: `${label} changed the envelope of ${out.from.event.type} v${out.from.event.schemaVersion}: ${changes.map((c) => `${c.field} was ${shown(c.before)}, now ${shown(c.after)}`).join('; ')} (if intended, put the new value in the golden file)`,
      })
    })
  }

  return {
    report: { name: fixture.name, input: fixture.input, golden: fixture.golden, inputEvents: fixture.inputs.length, ...(complete ? { outputEvents: outputs.length } : {}), failures },
    outputs: complete ? outputs.map(({ event, from }) => ({ event, from })) : undefined,
    tally,
  }
}
