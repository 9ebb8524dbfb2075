import type Database from 'better-sqlite3'
import { UserError } from '../../errors.js'

/** Where an event's parts live in a SQLite table. Unset optional columns are absent in the store. */
export interface ColumnMapping {
  table: string
  /** Integer global order; the rowid when unset. */
  position?: string
  stream: string
  type: string
  data: string
  time?: string
  version?: string
  metadata?: string
  schemaVersion?: string
  eventId?: string
}

export type Preset = 'simple' | 'emmett' | 'eventsourcing' | 'custom'

export interface SqliteLayout {
  preset: Preset
  mapping: ColumnMapping
  /** Extra SQL condition that selects events (e.g. Emmett's non-archived events). */
  where?: string
  /** SQL for the metadata when the library's reader adds to what is stored (Emmett). */
  metadataSql?: string
}

/**
 * Emmett's readStream and readMessagesBatch return the stored metadata with messageId,
 * streamName, streamPosition and globalPosition set from the columns (emmett-sqlite 0.42.4,
 * dist/index.js, readStream): the stored streamPosition is the stream's version before the
 * append, the same for a whole batch. json_set keeps and replaces keys as that spread does.
 */
const EMMETT_READ_METADATA =
  `CASE WHEN json_valid(message_metadata) AND json_type(message_metadata) = 'object' THEN json_set(message_metadata, ` +
  `'$.messageId', message_id, '$.streamName', stream_id, '$.streamPosition', stream_position, '$.globalPosition', global_position) ELSE message_metadata END`

export const MAPPING_FLAGS =
  '--table, --stream-column, --type-column, --data-column, --time-column, --position-column, ' +
  '--version-column, --metadata-column, --schema-version-column'

const SIMPLE_CANDIDATES: Record<Exclude<keyof ColumnMapping, 'table' | 'eventId'>, string[]> = {
  stream: ['aggregate_id', 'stream_id', 'stream', 'stream_name', 'aggregate'],
  type: ['event_type', 'type', 'name', 'event_name'],
  data: ['event_data', 'data', 'payload', 'body', 'event'],
  metadata: ['metadata', 'meta', 'event_metadata', 'headers'],
  version: ['version', 'sequence', 'stream_version', 'stream_position', 'aggregate_version', 'seq'],
  schemaVersion: ['schema_version', 'event_version', 'type_version'],
  time: ['created_at', 'timestamp', 'occurred_at', 'recorded_at', 'time', 'created', 'inserted_at'],
  position: ['global_position', 'position', 'id', 'sequence_number', 'event_number'],
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

interface ColumnInfo {
  name: string
  type: string
  pk: number
}

export function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name)
}

export function tableColumns(db: Database.Database, table: string): ColumnInfo[] {
  return db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as ColumnInfo[]
}

function pick(columns: ColumnInfo[], candidates: string[]): string | undefined {
  const lower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]))
  for (const candidate of candidates) {
    const found = lower.get(candidate)
    if (found !== undefined) return found
  }
  return undefined
}

function positionColumn(columns: ColumnInfo[]): string | undefined {
  const name = pick(columns, SIMPLE_CANDIDATES.position)
  if (name === undefined) return undefined
  const info = columns.find((c) => c.name === name)!
  // A text id (a UUID) is no order: fall back to the rowid.
  return /INT/i.test(info.type) || info.pk === 1 && /^$/.test(info.type) ? name : undefined
}

function simpleMapping(table: string, columns: ColumnInfo[]): Partial<ColumnMapping> {
  return {
    table,
    stream: pick(columns, SIMPLE_CANDIDATES.stream),
    type: pick(columns, SIMPLE_CANDIDATES.type),
    data: pick(columns, SIMPLE_CANDIDATES.data),
    metadata: pick(columns, SIMPLE_CANDIDATES.metadata),
    version: pick(columns, SIMPLE_CANDIDATES.version),
    schemaVersion: pick(columns, SIMPLE_CANDIDATES.schemaVersion),
    time: pick(columns, SIMPLE_CANDIDATES.time),
    position: positionColumn(columns),
  }
}

/**
 * Recognises the store from its tables (emmett, eventsourcing, simple), then applies the
 * user's mapping on top. Fails with the tables found and the flags to describe the rest.
 */
export function detectLayout(db: Database.Database, file: string, overrides: Partial<ColumnMapping> = {}): SqliteLayout {
  const tables = tableNames(db)
  const has = (name: string) => tables.includes(name)
  let preset: Preset
  let base: Partial<ColumnMapping>
  let where: string | undefined

  if (overrides.table === undefined && has('emt_messages')) {
    preset = 'emmett'
    const columns = tableColumns(db, 'emt_messages')
    const names = new Set(columns.map((c) => c.name))
    base = {
      table: 'emt_messages', position: 'global_position', stream: 'stream_id', version: 'stream_position',
      // message_schema_version is not one: Emmett writes the stream's expected version there.
      type: 'message_type', data: 'message_data', metadata: 'message_metadata', time: 'created', eventId: 'message_id',
    }
    const conditions = []
    if (names.has('message_kind')) conditions.push(`message_kind = 'E'`)
    if (names.has('is_archived')) conditions.push('is_archived = 0')
    where = conditions.length > 0 ? conditions.join(' AND ') : undefined
  } else if (overrides.table === undefined && has('stored_events')) {
    preset = 'eventsourcing'
    base = { table: 'stored_events', stream: 'originator_id', version: 'originator_version', type: 'topic', data: 'state' }
  } else {
    const table = overrides.table ?? (has('events') ? 'events' : undefined)
    if (table === undefined || !has(table)) {
      const found = tables.length > 0 ? tables.join(', ') : 'none'
      const what = table === undefined ? 'no events table I recognise' : `no table "${table}"`
      throw new UserError(
        `${file}: ${what} (tables found: ${found}); name the table and columns with ${MAPPING_FLAGS}, or in the config file's "mapping"`,
      )
    }
    preset = overrides.table === undefined ? 'simple' : 'custom'
    base = simpleMapping(table, tableColumns(db, table))
  }

  const mapping = { ...base, ...definedOnly(overrides) } as Partial<ColumnMapping>
  const emmettReader = preset === 'emmett' && Object.keys(definedOnly(overrides)).length === 0  // A guessed version column that is the global order (`--position-column seq`, and seq is also a
  // version name) is none: without one, an event's version is its ordinal in its stream.
  if (overrides.version === undefined && mapping.version !== undefined && mapping.version === (mapping.position ?? 'rowid')) delete mapping.version
  if (Object.keys(definedOnly(overrides)).some((k) => k !== 'table') && preset !== 'custom') preset = 'custom'
  const columns = new Set(tableColumns(db, mapping.table!).map((c) => c.name))
  const missing = (['stream', 'type', 'data'] as const).filter((k) => mapping[k] === undefined)
  if (missing.length > 0) {
    throw new UserError(
      `${file}: table "${mapping.table}" has no ${missing.join(', ')} column I recognise (columns: ${[...columns].join(', ')}); ` +
        `name them with ${MAPPING_FLAGS}`,
    )
  }
  for (const [key, column] of Object.entries(mapping)) {
    if (key !== 'table' && column !== undefined && !columns.has(column)) {
      throw new UserError(`${file}: table "${mapping.table}" has no column "${column}" (columns: ${[...columns].join(', ')})`)
    }
  }
  return { preset, mapping: mapping as ColumnMapping, where, metadataSql: emmettReader ? EMMETT_READ_METADATA : undefined }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>
}
