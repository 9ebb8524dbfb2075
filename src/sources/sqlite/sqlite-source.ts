import Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import { UserError } from '../../errors.js'
import type { Event } from '../../events/event.js'
import { normalizeStoredTime } from '../../events/time.js'
import { findCheckpointTables, readCheckpoints } from '../../lag/checkpoints.js'
import { rankSimilar } from '../similar.js'
import type { EventSource, ReadOptions, SourceSummary, TypeVersionCount } from '../source.js'
import { decodeStoredEventState, eventTypeFromTopic } from './eventsourcing.js'
import { detectLayout, quoteIdent, type ColumnMapping, type SqliteLayout } from './layout.js'
import { asText, InvalidValueError, parseJsonColumn, parseSchemaVersion } from './values.js'

/** Opens a SQLite file read-only; never creates one, and names what is wrong in one line. */
export function openDatabaseReadOnly(file: string): Database.Database {
  if (!existsSync(file)) throw new UserError(`${file}: no such file (rewind never creates a store)`)
  if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, expected a SQLite file`)
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (error) {
    const message = (error as Error).message
    if (/not a database|file is encrypted/i.test(message)) throw new UserError(`${file}: not a SQLite database (${message})`)
    throw new UserError(`${file}: cannot open as SQLite: ${message}`, { cause: error })
  }
  return db
}

/** Positions of the selected columns in a raw row. */
const P = 0, S = 1, V = 2, T = 3, SV = 4, TM = 5, D = 6, M = 7, ID = 8

export class SqliteSource implements EventSource {
  readonly kind = 'sqlite' as const
  readonly layout: SqliteLayout
  readonly db: Database.Database
  private readonly positionExpr: string
  private readonly streamExpr: string
  private readonly from: string

  constructor(readonly file: string, mapping: Partial<ColumnMapping> = {}) {
    this.db = openDatabaseReadOnly(file)
    this.layout = detectLayout(this.db, file, mapping)
    const m = this.layout.mapping
    this.positionExpr = m.position === undefined ? 'rowid' : quoteIdent(m.position)
    this.streamExpr = quoteIdent(m.stream)
    this.from = quoteIdent(m.table)
  }

  get name(): string {
    return this.file
  }

  private selectList(withMeta: boolean): string {
    const m = this.layout.mapping
    const col = (name: string | undefined) => (name === undefined ? 'NULL' : quoteIdent(name))
    return [
      this.positionExpr, this.streamExpr, col(m.version), quoteIdent(m.type), col(m.schemaVersion), col(m.time),
      quoteIdent(m.data), withMeta ? col(m.metadata) : 'NULL', withMeta ? col(m.eventId) : 'NULL',
    ].join(', ')
  }

  private conditions(options: ReadOptions, params: unknown[]): string {
    const parts: string[] = []
    if (this.layout.where !== undefined) parts.push(this.layout.where)
    if (options.stream !== undefined) {
      parts.push(`${this.streamExpr} = ?`)
      params.push(options.stream)
    }
    if (options.fromPosition !== undefined) {
      parts.push(`${this.positionExpr} >= ?`)
      params.push(Number(options.fromPosition))
    }
    if (options.untilPosition !== undefined) {
      parts.push(`${this.positionExpr} <= ?`)
      params.push(Number(options.untilPosition))
    }
    return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`
  }

  private invalid(row: unknown[], error: unknown, options: ReadOptions): undefined {
    const m = this.layout.mapping
    const reason = error instanceof SyntaxError ? `${m.data}/${m.metadata ?? 'metadata'} is not valid JSON (${error.message})` : (error as Error).message
    const message = `${this.file}: ${m.table} row at position ${String(row[P])}: ${reason}`
    if (options.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such rows with a warning`)
    options.onWarning?.(message)
    return undefined
  }

  private decode(row: unknown[], options: ReadOptions): Event | undefined {
    try {
      let type: string, data: unknown, time: unknown
      if (this.layout.preset === 'eventsourcing') {
        type = eventTypeFromTopic(asText(row[T]))
        const decoded = decodeStoredEventState(row[D])
        data = decoded.data
        time = decoded.time
      } else {
        type = typeof row[T] === 'string' ? (row[T] as string) : asText(row[T])
        data = parseJsonColumn(row[D])
        time = row[TM]
      }
      let meta: Record<string, unknown> = {}
      if (row[M] !== null) {
        const parsed = parseJsonColumn(row[M])
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>
      }
      if (row[ID] !== null && meta.eventId === undefined) meta.eventId = row[ID]
      const event: Event = {
        position: row[P] as number,
        stream: typeof row[S] === 'string' ? (row[S] as string) : asText(row[S]),
        version: row[V] === null ? undefined : Number(row[V]),
        type,
        schemaVersion: parseSchemaVersion(row[SV]),
        time: normalizeStoredTime(time) ?? '',
        data,
        meta,
      }
      if (event.time === '' && time !== null && time !== undefined) {
        throw new InvalidValueError(`time ${JSON.stringify(time)} is not a time (expected ISO-8601, "YYYY-MM-DD HH:MM:SS" or epoch seconds/ms)`)
      }
      return event
    } catch (error) {
      return this.invalid(row, error, options)
    }
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<Event[]> {
    const params: unknown[] = []
    const sql = `SELECT ${this.selectList(options.withMeta !== false)} FROM ${this.from}${this.conditions(options, params)} ORDER BY ${this.positionExpr}`
    const statement = this.db.prepare(sql).raw(true)
    const size = options.batchSize ?? 2000
    let batch: Event[] = []
    for (const row of statement.iterate(...params) as IterableIterator<unknown[]>) {
      const event = this.decode(row, options)
      if (event !== undefined) batch.push(event)
      if (batch.length >= size) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  }

  async estimateCount(options: ReadOptions = {}): Promise<number | undefined> {
    const params: unknown[] = []
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${this.from}${this.conditions(options, params)}`).get(...params) as { n: number }
    return row.n
  }

  async similarStreams(stream: string, limit = 5): Promise<string[]> {
    const ids = this.db.prepare(`SELECT DISTINCT ${this.streamExpr} FROM ${this.from}`).pluck().iterate() as IterableIterator<unknown>
    return rankSimilar(stream, (function* () { for (const id of ids) yield asText(id) })(), limit)
  }

  private timeAt(order: 'ASC' | 'DESC'): string | null {
    const m = this.layout.mapping
    const params: unknown[] = []
    const where = this.conditions({}, params)
    if (m.time !== undefined) {
      const fn = order === 'ASC' ? 'min' : 'max'
      const value = this.db.prepare(`SELECT ${fn}(${quoteIdent(m.time)}) FROM ${this.from}${where}`).pluck().get(...params)
      return normalizeStoredTime(value) ?? null
    }
    const row = this.db.prepare(`SELECT ${this.selectList(false)} FROM ${this.from}${where} ORDER BY ${this.positionExpr} ${order} LIMIT 1`).raw(true).get(...params) as unknown[] | undefined
    if (row === undefined) return null
    const event = this.decode(row, { skipInvalid: true })
    return event?.time || null
  }

  async summarize(): Promise<SourceSummary> {
    const m = this.layout.mapping
    const params: unknown[] = []
    const where = this.conditions({}, params)
    const totals = this.db
      .prepare(`SELECT count(*) AS events, count(DISTINCT ${this.streamExpr}) AS streams, min(${this.positionExpr}) AS first, max(${this.positionExpr}) AS last FROM ${this.from}${where}`)
      .get(...params) as { events: number; streams: number; first: number | null; last: number | null }
    const schema = m.schemaVersion === undefined ? 'NULL' : quoteIdent(m.schemaVersion)
    const grouped = this.db
      .prepare(`SELECT ${quoteIdent(m.type)} AS type, ${schema} AS sv, count(*) AS n FROM ${this.from}${where} GROUP BY 1, 2`)
      .all(...params) as Array<{ type: unknown; sv: unknown; n: number }>
    const types = new Map<string, TypeVersionCount>()
    for (const row of grouped) {
      const type = this.layout.preset === 'eventsourcing' ? eventTypeFromTopic(asText(row.type)) : asText(row.type)
      const schemaVersion = parseSchemaVersion(row.sv)
      const key = `${type}\u0000${schemaVersion}`
      const entry = types.get(key) ?? { type, schemaVersion, count: 0 }
      entry.count += row.n
      types.set(key, entry)
    }
    return {
      source: this.file,
      kind: 'sqlite',
      preset: this.layout.preset,
      mapping: { ...m, position: m.position ?? 'rowid' },
      events: totals.events,
      streams: totals.streams,
      firstPosition: totals.first,
      lastPosition: totals.last,
      firstTime: this.timeAt('ASC'),
      lastTime: this.timeAt('DESC'),
      types: [...types.values()].sort((a, b) => a.type.localeCompare(b.type) || a.schemaVersion - b.schemaVersion),
      checkpoints: readCheckpoints(this.db, findCheckpointTables(this.db)),
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
