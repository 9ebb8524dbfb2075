import { writeFileSync } from 'node:fs'
import type { Event } from '../events/event.js'
import { inlineValue } from '../output/json.js'
import { structuralDiff, type DiffEntry } from './compare.js'
import type { FixtureCase, FixtureInput } from './fixtures.js'
import type { GoldenUpdate } from './report.js'

const FIELD_ORDER = ['type', 'schemaVersion', 'stream', 'version', 'position', 'time', 'data', 'meta', 'kafka']

/**
 * One golden line for an upcasted event. Fields the input line left out (and that the reader
 * filled with defaults: position from the line number, empty meta) stay out unless the chain
 * changed them, so a golden reads like its input.
 */
export function goldenLine(output: Event, from: FixtureInput): Record<string, unknown> {
  const out = output as unknown as Record<string, unknown>
  const input = from.event as unknown as Record<string, unknown>
  const keys = [...FIELD_ORDER, ...Object.keys(out).filter((k) => !FIELD_ORDER.includes(k)).sort()]
  const line: Record<string, unknown> = {}
  for (const key of keys) {
    if (out[key] === undefined) continue
    const always = key === 'type' || key === 'schemaVersion' || key === 'data'
    if (always || key in from.raw || structuralDiff(input[key], out[key]).length > 0) line[key] = out[key]
  }
  return line
}

function describeChange(d: DiffEntry): string {
  const at = d.path === '' ? '(whole event)' : d.path
  if (d.kind === 'missing') return `${at}: removed (was ${inlineValue(d.expected)})`
  if (d.kind === 'unexpected') return `${at}: added ${inlineValue(d.actual)}`
  return `${at}: ${inlineValue(d.expected)} -> ${inlineValue(d.actual)}`
}

/** Writes NAME.out.ndjson from what the chain produced and says what changed. */
export function writeGolden(fixture: FixtureCase, outputs: Array<{ event: Event; from: FixtureInput }>): GoldenUpdate {
  const lines = outputs.map(({ event, from }) => goldenLine(event, from))
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : '')
  if (fixture.expected === undefined) {
    writeFileSync(fixture.goldenPath, text)
    return { file: fixture.golden, status: 'created', changes: [`${lines.length} ${lines.length === 1 ? 'event' : 'events'}`] }
  }
  const changes: string[] = []
  const n = Math.max(lines.length, fixture.expected.length)
  for (let i = 0; i < n; i++) {
    const before = fixture.expected[i]?.expected
    const after = lines[i]
    if (before === undefined) changes.push(`line ${i + 1}: added ${after.type} v${after.schemaVersion}`)
    else if (after === undefined) changes.push(`line ${fixture.expected[i].line}: removed ${inlineValue(before.type)}`)
    else for (const d of structuralDiff(before, after)) changes.push(`line ${fixture.expected[i].line}: ${describeChange(d)}`)
  }
  if (changes.length === 0) return { file: fixture.golden, status: 'unchanged', changes }
  writeFileSync(fixture.goldenPath, text)
  return { file: fixture.golden, status: 'updated', changes }
}
