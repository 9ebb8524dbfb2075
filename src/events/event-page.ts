import type { Event } from './event.js'
import { normalizeStoredTime } from './time.js'
import { parseSchemaVersion } from '../sources/sqlite/values.js'

/**
 * A page of events as JSON, column by column, so that a page travels between threads as one
 * string (a thread parses it far faster than it deserializes the same events as objects, and
 * columns parse faster than an array per event): [positions, versions, types, times,
 * schemaVersions, eventIds, data, metas, extras], each an array with a value per event, or null
 * where the store has no such column. Values are as stored (pageEvents decodes times, schema
 * versions and a separate eventId column as SqliteSource decodes a row), or as decoded
 * (eventPage). `extras` (decoded pages only, and may be left out): per event, its fields beyond
 * these (a Kafka event's coordinates, what an upcaster added), or null.
 */
export type EventPage = [
  positions: unknown[],
  versions: unknown[] | null,
  types: unknown[],
  times: unknown[] | null,
  schemaVersions: unknown[] | null,
  eventIds: unknown[] | null,
  data: unknown[],
  metas: unknown[] | null,
  extras?: Array<Record<string, unknown> | null> | null,
]

/** The fields pageEvents makes of the columns; any other field of an event goes in `extras`. */
const COLUMN_FIELDS = new Set(['position', 'stream', 'version', 'type', 'schemaVersion', 'time', 'data', 'meta'])

function extraFields(event: Event): Record<string, unknown> | null {
  let extra: Record<string, unknown> | null = null
  for (const key of Object.keys(event)) {
    if (COLUMN_FIELDS.has(key)) continue
    extra ??= {}
    extra[key] = (event as unknown as Record<string, unknown>)[key]
  }
  return extra
}

/** The page of events already decoded: read it back with `pageEvents(page, stream, true)`. */
export function eventPage(events: readonly Event[]): EventPage {
  const column = <T>(value: (e: Event) => T) => events.map(value)
  const extras = column(extraFields)
  return [
    column((e) => e.position),
    column((e) => e.version ?? null),
    column((e) => e.type),
    column((e) => e.time),
    column((e) => e.schemaVersion),
    null,
    column((e) => e.data),
    column((e) => e.meta),
    extras.some((extra) => extra !== null) ? extras : null,
  ]
}

const isColumn = (value: unknown, length: number): value is unknown[] => Array.isArray(value) && value.length === length

/**
 * The events a page stands for (`decoded`: a page of eventPage); undefined when it is not one
 * (wrong shape, a time that is not a time), which the reader of a store turns into reading the
 * rows one by one, so that a bad row is named the usual way.
 */
export function pageEvents(page: unknown, stream: string, decoded = false): Event[] | undefined {
  if (!Array.isArray(page) || (page.length !== 8 && page.length !== 9) || !Array.isArray(page[0])) return undefined
  const n = page[0].length
  const [positions, versions, types, times, schemaVersions, eventIds, data, metas, extras = null] = page as EventPage
  if (!isColumn(types, n) || !isColumn(data, n)) return undefined
  for (const column of [versions, times, schemaVersions, eventIds, metas, extras]) if (column !== null && !isColumn(column, n)) return undefined
  const events: Event[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const position = positions[i]
    const type = types[i]
    if (typeof type !== 'string' || (typeof position !== 'number' && typeof position !== 'string')) return undefined
    const stored = times === null ? null : times[i]
    const time = decoded ? String(stored) : normalizeStoredTime(stored) ?? ''
    if (time === '' && stored !== null && !decoded) return undefined
    const metaValue = metas === null ? null : metas[i]
    const meta = metaValue !== null && typeof metaValue === 'object' && !Array.isArray(metaValue) ? (metaValue as Record<string, unknown>) : {}
    const eventId = eventIds === null ? null : eventIds[i]
    if (eventId !== null && meta.eventId === undefined) meta.eventId = eventId
    const version = versions === null ? null : versions[i]
    events[i] = {
      position,
      stream,
      version: version === null ? undefined : Number(version),
      type,
      schemaVersion: schemaVersions === null ? 1 : parseSchemaVersion(schemaVersions[i]),
      time,
      data: data[i],
      meta,
    }
    const extra = extras === null ? null : extras[i]
    if (extra !== null && typeof extra === 'object') Object.assign(events[i], extra)
  }
  return events
}
