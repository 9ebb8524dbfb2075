import diff from 'microdiff'
import type { Event } from '../events/event.js'
import { instantNanos } from '../events/time.js'
import { inlineValue } from '../output/json.js'

/** One difference between what a golden file (or a first run) says and what came out. */
export interface DiffEntry {
  /** "data.amount.value", "meta.eventId", "" for the whole value. */
  path: string
  kind: 'changed' | 'missing' | 'unexpected'
  expected?: unknown
  actual?: unknown
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function formatPath(path: Array<string | number>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`
    else out += `[${JSON.stringify(key)}]`
  }
  return out
}

/** Deep structural difference: key order ignored, numbers compared exactly (Object.is). */
export function structuralDiff(expected: unknown, actual: unknown, prefix: Array<string | number> = []): DiffEntry[] {
  const bothContainers = expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && Array.isArray(expected) === Array.isArray(actual)
  if (!bothContainers) {
    if (Object.is(expected, actual)) return []
    if (expected === undefined) return [{ path: formatPath(prefix), kind: 'unexpected', actual }]
    if (actual === undefined) return [{ path: formatPath(prefix), kind: 'missing', expected }]
    return [{ path: formatPath(prefix), kind: 'changed', expected, actual }]
  }
  return diff(expected as Record<string, unknown>, actual as Record<string, unknown>, { cyclesFix: false }).map((d): DiffEntry => {
    const path = formatPath([...prefix, ...d.path])
    if (d.type === 'CREATE') return { path, kind: 'unexpected', actual: d.value }
    if (d.type === 'REMOVE') return { path, kind: 'missing', expected: d.oldValue }
    return { path, kind: 'changed', expected: d.oldValue, actual: d.value }
  })
}

/**
 * The actual event cut down to what the golden line names. Top-level fields and meta keys the
 * golden leaves out are not compared; a field it names (data included) is compared whole.
 */
export function goldenView(actual: Event, expected: Record<string, unknown>): Record<string, unknown> {
  const source = actual as unknown as Record<string, unknown>
  const view: Record<string, unknown> = {}
  for (const key of Object.keys(expected)) {
    const value = source[key]
    if (value === undefined) continue
    if (key === 'meta' && isPlainObject(expected.meta) && isPlainObject(value)) {
      const meta: Record<string, unknown> = {}
      for (const k of Object.keys(expected.meta)) if (value[k] !== undefined) meta[k] = value[k]
      view.meta = meta
    } else view[key] = value
  }
  return view
}

export function compareWithGolden(actual: Event, expected: Record<string, unknown>): DiffEntry[] {
  const view = goldenView(actual, expected)
  // Times are instants: a golden written by hand as "10:00:01Z" matches "10:00:01.000Z".
  if (typeof expected.time === 'string' && typeof view.time === 'string' && expected.time !== view.time) {
    const want = instantNanos(expected.time)
    if (want !== undefined && want === instantNanos(view.time)) view.time = expected.time
  }
  return structuralDiff(expected, view)
}

/** `data.amount.value: expected 120, got "120"`, one line per difference. */
export function describeDiff(entry: DiffEntry, words: { expected: string; actual: string } = { expected: 'expected', actual: 'got' }): string {
  const at = entry.path === '' ? '(whole value)' : entry.path
  const golden = words.expected === 'expected'
  switch (entry.kind) {
    case 'missing':
      return `${at}: ${words.expected} ${inlineValue(entry.expected, 100)}, ${golden ? 'missing' : `${words.actual} absent`}`
    case 'unexpected':
      return `${at}: ${golden ? 'not expected' : `${words.expected} absent`}, ${words.actual} ${inlineValue(entry.actual, 100)}`
    default:
      return `${at}: ${words.expected} ${inlineValue(entry.expected, 100)}, ${words.actual} ${inlineValue(entry.actual, 100)}`
  }
}

/** How to word a failure's diff: a golden is "expected", a purity diff "was/now", a rerun "first/second run". */
export function diffWords(check: string): { expected: string; actual: string } {
  if (check === 'purity') return { expected: 'was', actual: 'now' }
  if (check === 'determinism') return { expected: 'first run', actual: 'second run' }
  return { expected: 'expected', actual: 'got' }
}
