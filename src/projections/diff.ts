import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import { globMatcher } from '../events/filter.js'
import type { Reducer } from '../fold/reducer.js'
import { replayAll } from '../fold/replay.js'
import type { EventSource, ReadOptions } from '../sources/source.js'
import { asText } from '../sources/sqlite/values.js'
import type { UpcastChain } from '../upcast/chain.js'
import { planColumns, stateFieldsOf, type ColumnPlan, type ColumnTarget } from './columns.js'
import type { FieldDrift } from './compare-values.js'
import { explainDrift, WorkBudget, type ExplanationKind } from './explain.js'
import type { ProjectionTable } from './projection-table.js'
import { rowDrifts, rowMatcher } from './row-match.js'
import { collectStreamEvents } from './stream-events.js'
import { compareTimes } from '../events/time.js'
import { FileSource } from '../sources/file-source.js'

export interface DriftedRow {
  key: string
  fields: FieldDrift[]
  explanation?: string
}

/** `diff --json` (DESIGN.md): stable API. */
export interface DiffJson {
  compared: number
  matched: number
  drifted: DriftedRow[]
  missing: string[]
  extra: string[]
}

export interface DiffReport {
  json: DiffJson
  plan: ColumnPlan
  columns: string[]
  /** The kind of each explanation, by key (for reporters). */
  kinds: Map<string, ExplanationKind>
  streams: number
  events: number
  warnings: string[]
  /** Keys that matched, when asked for (JUnit lists every key). */
  matchedKeys?: string[]
}

export interface DiffOptions {
  source: EventSource
  reducer: Reducer
  upcasters: UpcastChain
  table: ProjectionTable
  map?: Map<string, ColumnTarget>
  ignore?: string[]
  tolerance?: number
  /** How a key names its stream: "{key}" (default) or e.g. "bankAccount-{key}". */
  streamId?: string
  /** Only these streams (globs). */
  streams?: string[]
  /** Replay up to this canonical time / global position (inclusive). */
  at?: string
  untilPosition?: number | string
  read?: ReadOptions
  /** Events kept per stream for explanations; 0 turns explanations off. */
  explainLimit: number
  /** Drifted rows explained at most. */
  explainRows: number
  /** Reducer applications the explanations may spend in all. */
  explainBudget?: number
  onProgress?: (eventsRead: number) => void
  keepMatchedKeys?: boolean
}

export const DEFAULT_EXPLAIN_BUDGET = 20_000_000

/** The key <-> stream id mapping of --stream-id TEMPLATE. */
export function keyTemplate(template = '{key}'): { streamOf(key: string): string; keyOf(stream: string): string | undefined; identity: boolean } {
  const at = template.indexOf('{key}')
  if (at < 0 || template.indexOf('{key}', at + 1) >= 0) {
    throw new UserError(`--stream-id "${template}": expected a template with {key} once, e.g. "bankAccount-{key}"`)
  }
  const prefix = template.slice(0, at)
  const suffix = template.slice(at + '{key}'.length)
  return {
    identity: prefix === '' && suffix === '',
    streamOf: (key) => `${prefix}${key}${suffix}`,
    keyOf: (stream) =>
      stream.length >= prefix.length + suffix.length && stream.startsWith(prefix) && stream.endsWith(suffix)
        ? stream.slice(prefix.length, stream.length - suffix.length)
        : undefined,
  }
}

/**
 * Replays every stream and compares it with the projection's rows, column by column, then looks
 * for an explanation of each drifted row. One pass over the source; a second, narrow read only
 * for the drifted streams.
 */
export async function diffProjection(options: DiffOptions): Promise<DiffReport> {
  const { source, reducer, upcasters, table } = options
  const tolerance = options.tolerance ?? 0
  const template = keyTemplate(options.streamId)
  const streamGlob = globMatcher(options.streams)
  const at = options.at
  const inScope = (stream: string) => (template.identity || template.keyOf(stream) !== undefined) && (streamGlob === undefined || streamGlob(stream))
  const scoped = !template.identity || streamGlob !== undefined
  const filter: ((e: Event) => boolean) | undefined =
    !scoped && at === undefined ? undefined : (e) => (at === undefined || compareTimes(e.time, at) <= 0) && (!scoped || inScope(e.stream))
  const read: ReadOptions = { ...options.read, untilPosition: options.untilPosition }

  const replay = await replayAll(source, { reducer, upcasters, filter, read, onProgress: options.onProgress })
  const { states } = replay
  const plan = planColumns(table.columns, { key: table.key, stateFields: stateFieldsOf(states.values()), map: options.map, written: table.written, ignore: options.ignore, table: table.label })

  const warnings: string[] = []
  const json: DiffJson = { compared: 0, matched: 0, drifted: [], missing: [], extra: [] }
  const seen = new Set<string>()
  const matchedKeys: string[] | undefined = options.keepMatchedKeys === true ? [] : undefined
  const driftedRows = new Map<string, unknown[]>()
  let nullKeys = 0
  for (const row of table.rows()) {
    const rawKey = row[plan.keyIndex]
    if (rawKey === null || rawKey === undefined) {
      nullKeys++
      continue
    }
    const key = asText(rawKey)
    const stream = template.streamOf(key)
    if (streamGlob !== undefined && !streamGlob(stream)) continue
    const entry = states.get(stream)
    if (entry === undefined) {
      json.extra.push(key)
      continue
    }
    if (seen.has(stream)) warnings.push(`${table.label}: key ${key} appears in more than one row; each is compared`)
    seen.add(stream)
    json.compared++
    const fields = rowDrifts(plan, row, { state: entry.state, version: entry.version, time: entry.time }, tolerance)
    if (fields.length === 0) {
      json.matched++
      matchedKeys?.push(key)
      continue
    }
    json.drifted.push({ key, fields })
    if (driftedRows.size < options.explainRows) driftedRows.set(key, row)
  }
  if (nullKeys > 0) warnings.push(`${table.label}: ${nullKeys} row${nullKeys === 1 ? ' has' : 's have'} no ${table.key}; not compared`)
  for (const stream of states.keys()) {
    if (!seen.has(stream)) json.missing.push(template.keyOf(stream) ?? stream)
  }
  json.missing.sort()

  const kinds = new Map<string, ExplanationKind>()
  const once = source instanceof FileSource && source.stream
  if (once && options.explainLimit > 0 && driftedRows.size > 0) {
    warnings.push(`${source.name}: drifted rows are not explained: that reads the source again, and a pipe can be read only once (save it to a regular file to get explanations)`)
  } else if (options.explainLimit > 0 && driftedRows.size > 0) {
    const streams = new Set([...driftedRows.keys()].map(template.streamOf))
    const events = await collectStreamEvents(source, streams, {
      upcasters,
      filter: at === undefined ? undefined : (e) => compareTimes(e.time, at) <= 0,
      read,
      limit: options.explainLimit,
    })
    const budget = new WorkBudget(options.explainBudget ?? DEFAULT_EXPLAIN_BUDGET)
    for (const drifted of json.drifted) {
      const row = driftedRows.get(drifted.key)
      if (row === undefined) {
        drifted.explanation = `no simple explanation searched: only the first ${options.explainRows} drifted rows are explained (--explain-rows)`
        continue
      }
      const explanation = explainDrift(events.get(template.streamOf(drifted.key))!, reducer, rowMatcher(plan, row, tolerance), budget)
      drifted.explanation = explanation.text
      kinds.set(drifted.key, explanation.kind)
    }
  }
  return { json, plan, columns: table.columns, kinds, streams: states.size, events: replay.events, warnings, matchedKeys }
}
