import type Database from 'better-sqlite3'
import { UserError } from '../errors.js'
import type { CheckpointInfo } from '../sources/source.js'
import { quoteIdent, tableColumns, tableNames } from '../sources/sqlite/layout.js'

/** A table that records how far each projection has read. */
export interface CheckpointTable {
  table: string
  nameColumn: string
  positionColumn: string
  updatedColumn?: string
  /**
   * Several rows per name, the position being the highest: Python eventsourcing with
   * SINGLE_ROW_TRACKING=f keeps a row per processed notification, and reads MAX(notification_id)
   * (SQLiteProcessRecorder.max_tracking_id, eventsourcing 9.5).
   */
  highestPerName?: boolean
}

/** The conventions we know: Emmett (new and old), Python eventsourcing, Marten-style. */
export const KNOWN_CHECKPOINT_TABLES: CheckpointTable[] = [
  { table: 'emt_processors', nameColumn: 'processor_id', positionColumn: 'last_processed_checkpoint' },
  { table: 'emt_subscriptions', nameColumn: 'subscription_id', positionColumn: 'last_processed_position' },
  { table: 'tracking', nameColumn: 'application_name', positionColumn: 'notification_id', highestPerName: true },
  { table: 'mt_event_progression', nameColumn: 'name', positionColumn: 'last_seq_id', updatedColumn: 'last_updated' },
]

/** Checkpoint positions as numbers: Emmett keeps them as zero-padded text. */
export function parseCheckpointPosition(value: unknown): number | string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value)
  const text = String(value).trim()
  return /^\d+$/.test(text) ? Number(text) : text
}

/** Which known (or given) checkpoint tables this database has, with columns that exist. */
export function findCheckpointTables(db: Database.Database, extra: CheckpointTable[] = []): CheckpointTable[] {
  const tables = new Set(tableNames(db))
  const found: CheckpointTable[] = []
  for (const candidate of [...extra, ...KNOWN_CHECKPOINT_TABLES]) {
    if (!tables.has(candidate.table)) continue
    const columns = new Set(tableColumns(db, candidate.table).map((c) => c.name))
    if (!columns.has(candidate.positionColumn)) continue
    const nameColumn = columns.has(candidate.nameColumn) ? candidate.nameColumn : [...columns][0]
    const updatedColumn = candidate.updatedColumn ?? ['last_updated', 'updated_at', 'updated', 'last_updated_at'].find((c) => columns.has(c))
    found.push({ ...candidate, nameColumn, updatedColumn: updatedColumn !== undefined && columns.has(updatedColumn) ? updatedColumn : undefined })
  }
  return found
}

export function readCheckpoints(db: Database.Database, tables: CheckpointTable[]): CheckpointInfo[] {
  const rows: CheckpointInfo[] = []
  for (const t of tables) {
    const updated = t.updatedColumn === undefined ? 'NULL' : quoteIdent(t.updatedColumn)
    const sql = t.highestPerName === true
      ? `SELECT ${quoteIdent(t.nameColumn)} AS name, max(${quoteIdent(t.positionColumn)}) AS position, max(${updated}) AS updated FROM ${quoteIdent(t.table)} GROUP BY 1 ORDER BY 1`
      : `SELECT ${quoteIdent(t.nameColumn)} AS name, ${quoteIdent(t.positionColumn)} AS position, ${updated} AS updated FROM ${quoteIdent(t.table)} ORDER BY 1`
    for (const row of db.prepare(sql).all() as Array<{ name: unknown; position: unknown; updated: unknown }>) {
      // The eventsourcing library records its own schema migration in `tracking`: not a projection.
      if (t.table === 'tracking' && row.name === '__migration__') continue
      rows.push({
        table: t.table,
        name: String(row.name),
        position: parseCheckpointPosition(row.position),
        updated: row.updated === null ? null : String(row.updated),
      })
    }
  }
  return rows
}

/** "emt_processors(processor_id, last_processed_checkpoint), ...": what was looked for, for error messages. */
export function describeCheckpointTables(tables: CheckpointTable[] = KNOWN_CHECKPOINT_TABLES): string {
  return tables.map((t) => `${t.table}(${t.nameColumn}, ${t.positionColumn})`).join(', ')
}

/** A database to look for checkpoints in, named for messages. */
export interface CheckpointPlace {
  file: string
  db: Database.Database
}

/**
 * The checkpoint called `name`, from the first place that has it (a projection's checkpoint may
 * live beside the read model or in the event store). Exit 2 naming the checkpoints that exist.
 */
export function lookupCheckpoint(places: CheckpointPlace[], name: string, extra: CheckpointTable[] = []): CheckpointInfo & { file: string } {
  const seen: string[] = []
  for (const place of places) {
    for (const checkpoint of readCheckpoints(place.db, findCheckpointTables(place.db, extra))) {
      if (checkpoint.name === name) return { ...checkpoint, file: place.file }
      seen.push(`${checkpoint.name} (${checkpoint.table})`)
    }
  }
  const files = [...new Set(places.map((p) => p.file))].join(' and ')
  const found = seen.length > 0 ? `checkpoints there: ${[...new Set(seen)].join(', ')}` : `no checkpoint tables there (looked for ${describeCheckpointTables([...extra, ...KNOWN_CHECKPOINT_TABLES])})`
  throw new UserError(`no checkpoint "${name}" in ${files}; ${found}`)
}

const NAME_GUESSES = ['name', 'projection', 'projection_name', 'processor_id', 'subscription_id', 'subscriber', 'consumer', 'application_name', 'id']
const POSITION_GUESSES = ['position', 'last_position', 'checkpoint', 'last_checkpoint', 'last_processed_position', 'last_seq_id', 'global_position', 'notification_id', 'offset']
const UPDATED_GUESSES = ['last_updated', 'updated_at', 'updated', 'last_updated_at', 'modified_at', 'timestamp']

/**
 * A checkpoint table the user names (--checkpoints TABLE --name-column C --position-column C);
 * columns not given are guessed from common names. Exit 2 naming the columns that exist.
 */
export function customCheckpointTable(db: Database.Database, file: string, spec: { table: string; nameColumn?: string; positionColumn?: string; updatedColumn?: string }): CheckpointTable {
  const tables = tableNames(db)
  if (!tables.includes(spec.table)) throw new UserError(`${file}: no table "${spec.table}" for --checkpoints (tables: ${tables.length > 0 ? tables.join(', ') : 'none'})`)
  const columns = tableColumns(db, spec.table).map((c) => c.name)
  const pick = (given: string | undefined, guesses: string[], flag: string, required: boolean): string | undefined => {
    if (given !== undefined) {
      if (!columns.includes(given)) throw new UserError(`${file}: table "${spec.table}" has no column "${given}" for ${flag} (columns: ${columns.join(', ')})`)
      return given
    }
    const guess = guesses.find((g) => columns.includes(g))
    if (guess === undefined && required) throw new UserError(`${file}: which column of "${spec.table}" holds the ${flag === '--name-column' ? 'projection name' : 'position'}? Name it with ${flag} (columns: ${columns.join(', ')})`)
    return guess
  }
  return {
    table: spec.table,
    nameColumn: pick(spec.nameColumn, NAME_GUESSES, '--name-column', true)!,
    positionColumn: pick(spec.positionColumn, POSITION_GUESSES, '--position-column', true)!,
    updatedColumn: pick(spec.updatedColumn, UPDATED_GUESSES, '--updated-column', false),
  }
}
