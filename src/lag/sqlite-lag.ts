import type Database from 'better-sqlite3'
import { UserError } from '../errors.js'
import { globMatcher } from '../events/filter.js'
import { normalizeStoredTime } from '../events/time.js'
import { quoteIdent } from '../sources/sqlite/layout.js'
import { explainSqlite } from '../sources/sqlite/sqlite-errors.js'
import type { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { describeCheckpointTables, findCheckpointTables, KNOWN_CHECKPOINT_TABLES, readCheckpoints, type CheckpointTable } from './checkpoints.js'
import type { LagMeasurement, LagRow } from './report.js'

export interface SqliteLagOptions {
  /** The table named by --checkpoints; only it is read when given. */
  custom?: CheckpointTable
  /** Where the checkpoint tables are (default: the store itself). */
  checkpoints?: { file: string; db: Database.Database }
  /** Only checkpoints with these names (globs). */
  names?: string[]
}

export const CHECKPOINT_FLAGS = '--checkpoints TABLE --name-column C --position-column C'

/**
 * Lag of each projection checkpoint in a SQLite store: events after the checkpoint (counted
 * exactly, with the preset's event filter) and the age of the oldest of them.
 */
export class SqliteLag {
  private readonly tables: CheckpointTable[]
  private readonly checkpointDb: Database.Database
  private readonly countAfter: Database.Statement
  private readonly countAll: Database.Statement
  private readonly headPosition: Database.Statement
  private readonly timeAfter?: Database.Statement

  constructor(private readonly source: SqliteSource, private readonly options: SqliteLagOptions = {}) {
    const place = options.checkpoints ?? { file: source.file, db: source.db }
    this.checkpointDb = place.db
    this.tables = options.custom !== undefined ? [options.custom] : findCheckpointTables(place.db)
    if (this.tables.length === 0) {
      throw new UserError(`${place.file}: no checkpoint table found (looked for ${describeCheckpointTables(KNOWN_CHECKPOINT_TABLES)}); name yours with ${CHECKPOINT_FLAGS}`)
    }
    const { layout, db } = source
    const m = layout.mapping
    const position = m.position === undefined ? 'rowid' : quoteIdent(m.position)
    const table = quoteIdent(m.table)
    const and = layout.where === undefined ? '' : ` AND (${layout.where})`
    const where = layout.where === undefined ? '' : ` WHERE ${layout.where}`
    this.countAfter = db.prepare(`SELECT count(*) FROM ${table} WHERE ${position} > ?${and}`).pluck()
    this.countAll = db.prepare(`SELECT count(*) FROM ${table}${where}`).pluck()
    this.headPosition = db.prepare(`SELECT max(${position}) FROM ${table}${where}`).pluck()
    // The eventsourcing preset keeps the time inside its pickled state: read through the source.
    if (m.time !== undefined && layout.preset !== 'eventsourcing') {
      this.timeAfter = db.prepare(`SELECT ${quoteIdent(m.time)} FROM ${table} WHERE ${position} > ?${and} ORDER BY ${position} LIMIT 1`).pluck()
    }
  }

  /** Time of the first event after `position` (ISO), undefined when the store records no time. */
  private async firstTimeAfter(position: number): Promise<string | undefined> {
    if (this.timeAfter !== undefined) return normalizeStoredTime(this.timeAfter.get(position))
    if (this.source.layout.mapping.time === undefined && this.source.layout.preset !== 'eventsourcing') return undefined
    for await (const batch of this.source.batches({ fromPosition: position + 1, batchSize: 1, withMeta: false, skipInvalid: true })) {
      return batch[0]?.time || undefined
    }
    return undefined
  }

  async measure(now = Date.now()): Promise<LagMeasurement> {
    const store = { file: this.source.file, table: this.source.layout.mapping.table }
    const head = explainSqlite(store, () => this.headPosition.get() as number | null)
    const headTime = head === null ? null : (await this.firstTimeAfter(head - 1)) ?? null
    const names = globMatcher(this.options.names)
    const file = this.options.checkpoints?.file ?? this.source.file
    const checkpoints = explainSqlite({ file }, () => readCheckpoints(this.checkpointDb, this.tables))
    const selected = names === undefined ? checkpoints : checkpoints.filter((c) => names(c.name))
    if (selected.length === 0) {
      const found = checkpoints.map((c) => c.name)
      throw new UserError(names === undefined
        ? `${file}: the checkpoint table${this.tables.length === 1 ? '' : 's'} ${this.tables.map((t) => t.table).join(', ')} hold${this.tables.length === 1 ? 's' : ''} no rows`
        : `${file}: no checkpoint matches --projection ${this.options.names!.join(', ')} (checkpoints: ${found.length > 0 ? found.join(', ') : 'none'})`)
    }
    const rows: LagRow[] = []
    for (const checkpoint of selected) {
      const { position } = checkpoint
      if (position !== null && typeof position !== 'number') {
        throw new UserError(`${file}: ${checkpoint.table} row "${checkpoint.name}": position ${JSON.stringify(position)} is not a global position (a whole number)`)
      }
      if (position !== null && head !== null && position > head) {
        // The usual cause: a follower's own file, whose tracking rows count another store's events.
        throw new UserError(`${file}: checkpoint "${checkpoint.name}" (${checkpoint.table}) is at ${position}, beyond the head of ${this.source.file} (${head}): it tracks another store; run rewind lag UPSTREAM-STORE --checkpoint-db ${file}`)
      }
      const lagEvents = Number(explainSqlite(store, () => (position === null ? this.countAll.get() : this.countAfter.get(position))))
      let lagSeconds: number | null = 0
      if (lagEvents > 0) {
        const oldest = await this.firstTimeAfter(position ?? Number.MIN_SAFE_INTEGER)
        lagSeconds = oldest === undefined ? null : Math.max(0, Math.round(now - Date.parse(oldest))) / 1000
      }
      const updated = checkpoint.updated === null || checkpoint.updated === undefined ? null : normalizeStoredTime(checkpoint.updated) ?? checkpoint.updated
      rows.push({ name: checkpoint.name, table: checkpoint.table, position, head, lagEvents, lagSeconds, updated })
    }
    return { head: { position: head, time: headTime }, rows, at: now }
  }
}
