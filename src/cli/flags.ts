import { Flags } from '@oclif/core'
import type { ColumnMapping } from '../sources/sqlite/layout.js'

/** Column mapping for SQLite stores that no preset recognises. */
export const mappingFlags = {
  table: Flags.string({ description: 'Events table (when no preset recognises the store)', helpGroup: 'MAPPING' }),
  'stream-column': Flags.string({ description: 'Column holding the stream / aggregate id', helpGroup: 'MAPPING' }),
  'type-column': Flags.string({ description: 'Column holding the event type', helpGroup: 'MAPPING' }),
  'data-column': Flags.string({ description: 'Column holding the event data (JSON text or blob)', helpGroup: 'MAPPING' }),
  'time-column': Flags.string({ description: 'Column holding the event time', helpGroup: 'MAPPING' }),
  'position-column': Flags.string({ description: 'Integer column giving global order (default: rowid)', helpGroup: 'MAPPING' }),
  'version-column': Flags.string({ description: 'Column holding the position within the stream', helpGroup: 'MAPPING' }),
  'metadata-column': Flags.string({ description: 'Column holding metadata JSON', helpGroup: 'MAPPING' }),
  'schema-version-column': Flags.string({ description: 'Column holding the event schema version', helpGroup: 'MAPPING' }),
}

export function mappingFrom(flags: Record<string, unknown>): Partial<ColumnMapping> {
  const pick = (name: string) => (flags[name] as string | undefined) ?? undefined
  return {
    table: pick('table'),
    stream: pick('stream-column'),
    type: pick('type-column'),
    data: pick('data-column'),
    time: pick('time-column'),
    position: pick('position-column'),
    version: pick('version-column'),
    metadata: pick('metadata-column'),
    schemaVersion: pick('schema-version-column'),
  }
}

export const reducerFlag = Flags.string({
  description: 'Reducer module (.ts, .mts, .js, .mjs; loaded without a build step). Default: merge each event\'s data into the state',
})

export const upcastersFlag = Flags.string({ description: 'Upcaster module: events are lifted to their latest schema before folding' })

export const skipInvalidFlag = Flags.boolean({ description: 'Skip rows whose JSON does not parse, with a counted warning' })
