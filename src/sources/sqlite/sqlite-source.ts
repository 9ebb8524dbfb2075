import Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import { otherFileKind } from '../../files/regular-file.js'
import { UserError } from '../../errors.js'
import type { Event } from '../../events/event.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../events/json-depth.js'
import { exactPosition, exactPositionSql, type ExactPosition } from '../../events/position.js'
import { normalizeStoredTime } from '../../events/time.js'
import { findCheckpointTables, readCheckpoints } from '../../lag/checkpoints.js'
import { rankSimilar } from '../similar.js'
import type { EventSource, ReadOptions, SourceSummary, TypeVersionCount } from '../source.js'
import { decodeStoredEventState } from './eventsourcing.js'
import { detectLayout, quoteIdent, type ColumnMapping, type SqliteLayout } from './layout.js'
import { describeSqliteError, explainSqlite, explainSqliteRows, type SqlitePlace } from './sqlite-errors.js'
import { storedLine, type RowShape } from './stored-line.js'
import { needsPrivateCopy, privateCopy } from './read-only-wal.js'
import { asText, checkJsonColumn, InvalidValueError, parseJsonColumn, parseSchemaVersion } from './values.js'

/**
 * Opens a SQLite file read-only; never creates one, and names what is wrong in one line. A WAL
 * store the user cannot open in place (see read-only-wal.ts) is read from a private copy.
 */
export function openDatabaseReadOnly(file: string): Database.Database {
  if (!existsSync(file)) throw new UserError(`${file}: no such file (rewind never creates a store)`)
  // A pipe or a device would block SQLite's open, or be read as garbage.
  const kind = otherFileKind(statSync(file))
  if (kind !== undefined) throw new UserError(`${file}: is ${kind}, expected a SQLite file`)
  const open = (path: string) => {
    const db = new Database(path, { readonly: true, fileMustExist: true })
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get()
    } catch (error) {
      db.close()
      throw error
    }
    return db
  }
  let db: Database.Database
  try {
    db = open(file)
  } catch (error) {
    let failure = error
    if (needsPrivateCopy(file)) {
      try {
        return open(privateCopy(file))
      } catch (copyError) {
        if (copyError instanceof UserError) throw copyError
        failure = copyError
      }
    }
    const described = describeSqliteError(failure, { file })
    if (described instanceof UserError) throw described
    throw new UserError(`${file}: cannot open as SQLite: ${(failure as Error).message}`, { cause: failure })
  }
  return db
}

/** What a worker thread needs to open the same store read the same way (preset and conditions included). */
export interface SqliteSourceSpec {
  file: string
  layout: SqliteLayout
  /** The file actually opened, when not `file` (a private copy: read-only-wal.ts). */
  openedAs?: string
}

export class SqliteSource implements EventSource {
  readonly kind = 'sqlite' as const
  readonly layout: SqliteLayout
  readonly db: Database.Database
  private readonly positionExpr: string
  private readonly streamExpr: string
  private readonly from: string

  constructor(readonly file: string, mapping: Partial<ColumnMapping> = {}, layout?: SqliteLayout, openedAs?: string) {
    this.db = openDatabaseReadOnly(openedAs ?? file)
    this.layout = layout ?? explainSqlite({ file }, () => detectLayout(this.db, file, mapping))
    const m = this.layout.mapping
    this.positionExpr = m.position === undefined ? 'rowid' : quoteIdent(m.position)
    this.streamExpr = quoteIdent(m.stream)
    this.from = quoteIdent(m.table)
  }

  get name(): string {
    return this.file
  }

  /** What a SQLite error names: this file and its events table (see sqlite-errors.ts). */
  private readonly place = (): SqlitePlace => ({ file: this.file, table: this.layout?.mapping.table })

  /**
   * For worker threads. Not the mapping alone: detecting the layout again from a full mapping
   * would lose the preset (eventsourcing's decoding, Emmett's non-archived condition).
   */
  get spec(): SqliteSourceSpec {
    return { file: this.file, layout: this.layout, ...(this.db.name !== this.file && { openedAs: this.db.name }) }
  }

  static open(spec: SqliteSourceSpec): SqliteSource {
    return new SqliteSource(spec.file, {}, spec.layout, spec.openedAs)
  }

  private readonly shapes = new Map<boolean, RowShape>()
  private readonly statements = new Map<string, Database.Statement>()

  /** position, stream, type, data first; then only the optional columns the store has. */
  private shape(withMeta: boolean): RowShape {
    let shape = this.shapes.get(withMeta)
    if (shape !== undefined) return shape
    const m = this.layout.mapping
    const columns = [exactPositionSql(this.positionExpr), this.streamExpr, quoteIdent(m.type), quoteIdent(m.data)]
    const add = (name: string | undefined) => {
      if (name === undefined) return -1
      columns.push(quoteIdent(name))
      return columns.length - 1
    }
    const version = add(m.version)
    const schemaVersion = add(m.schemaVersion)
    const time = add(m.time)
    let meta = -1
    if (withMeta && m.metadata !== undefined) meta = columns.push(this.layout.metadataSql ?? quoteIdent(m.metadata)) - 1
    const eventId = withMeta ? add(m.eventId) : -1
    // Unread metadata is still checked: SQLite vouches for plain JSON text (json_valid, RFC 8259,
    // at most 1000 deep) and only the rest comes to JavaScript, to be parsed and named if bad.
    let metaCheck = -1
    if (!withMeta && m.metadata !== undefined) {
      const c = quoteIdent(m.metadata)
      columns.push(`CASE WHEN ${c} IS NULL OR ${c} = '' OR (typeof(${c}) = 'text' AND json_valid(${c})) THEN NULL ELSE ${c} END`)
      metaCheck = columns.length - 1
    }
    shape = { select: columns.join(', '), version, schemaVersion, time, meta, eventId, metaCheck }
    this.shapes.set(withMeta, shape)
    return shape
  }

  /** Prepared once per SQL text: `state` on one stream is dominated by prepare otherwise. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
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
      params.push(exactPosition(options.fromPosition))
    }
    if (options.streamRange?.from !== undefined) {
      parts.push(`${this.streamExpr} >= ?`)
      params.push(options.streamRange.from)
    }
    if (options.streamRange?.to !== undefined) {
      parts.push(`${this.streamExpr} < ?`)
      params.push(options.streamRange.to)
    }
    if (options.untilPosition !== undefined) {
      parts.push(`${this.positionExpr} <= ?`)
      params.push(exactPosition(options.untilPosition))
    }
    if (options.belowPosition !== undefined) {
      parts.push(`${this.positionExpr} < ?`)
      params.push(exactPosition(options.belowPosition))
    }
    return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`
  }

  private invalid(row: unknown[], error: unknown, options: ReadOptions): undefined {
    const P = 0
    const m = this.layout.mapping
    const reason = error instanceof SyntaxError ? `${m.data}/${m.metadata ?? 'metadata'} is not valid JSON (${error.message})` : (error as Error).message
    const message = `${this.file}: ${m.table} row at position ${String(row[P])}: ${reason}`
    if (options.skipInvalid !== true) throw new UserError(`${message}; --skip-invalid skips such rows with a warning`)
    options.onWarning?.(message)
    return undefined
  }

  private nullTimeNoted = false

  /** A NULL time is read as "" (a store may leave the column empty), said once per read of the store. */
  private noteNullTime(row: unknown[], options: ReadOptions): void {
    if (this.nullTimeNoted) return
    this.nullTimeNoted = true
    const m = this.layout.mapping
    ;(options.onNotice ?? options.onWarning)?.(`${this.file}: ${m.table} row at position ${String(row[0])}: ${m.time} is NULL, so the event has no time (""); later rows like it are not reported`)
  }

  private decode(row: unknown[], shape: RowShape, options: ReadOptions): Event | undefined {
    const m = this.layout.mapping
    try {
      // No stream or type: not an event (they printed as the string "null").
      if (row[1] === null) throw new InvalidValueError(`${m.stream} is NULL (expected the stream id)`)
      if (row[2] === null) throw new InvalidValueError(`${m.type} is NULL (expected the event type)`)
      if (shape.time !== -1 && row[shape.time] === null) this.noteNullTime(row, options)
      // Metadata that is not read (replay) is still checked, as every other command reads it.
      if (shape.metaCheck !== -1) checkJsonColumn(row[shape.metaCheck], m.metadata ?? 'metadata')
      let type: string, data: unknown, time: unknown, schemaVersion: number
      if (this.layout.preset === 'eventsourcing') {
        // The whole topic (`module:Class.Event`): two modules' `Account.Opened` are two types.
        type = asText(row[2])
        const decoded = decodeStoredEventState(row[3])
        data = decoded.data
        time = decoded.time
        schemaVersion = decoded.schemaVersion
      } else {
        type = typeof row[2] === 'string' ? (row[2] as string) : asText(row[2])
        data = parseJsonColumn(row[3], m.data)
        time = shape.time === -1 ? null : row[shape.time]
        schemaVersion = shape.schemaVersion === -1 ? 1 : parseSchemaVersion(row[shape.schemaVersion])
      }
      let meta: Record<string, unknown> = {}
      if (shape.meta !== -1 && row[shape.meta] !== null) {
        const parsed = parseJsonColumn(row[shape.meta], m.metadata)
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>
      }
      if (shape.eventId !== -1 && row[shape.eventId] !== null && meta.eventId === undefined) meta.eventId = row[shape.eventId]
      const version = shape.version === -1 ? null : row[shape.version]
      const event: Event = {
        position: row[0] as number,
        stream: typeof row[1] === 'string' ? (row[1] as string) : asText(row[1]),
        version: version === null ? undefined : Number(version),
        type,
        schemaVersion,
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

  private mapped = false

  /**
   * One stream's rows sit on pages scattered over the file; reading them through mmap instead of
   * one pread per page halves `state`. Only for stream reads: a full scan through mmap would
   * count the whole file in RSS.
   */
  private mapForPointReads(): void {
    if (this.mapped) return
    this.mapped = true
    this.pragma('mmap_size = 268435456')
  }

  /** A pragma that only makes reading faster: if the connection is busy, reading is still correct without it. */
  private pragma(text: string): void {
    try {
      this.db.pragma(text)
    } catch {
      // busy with another statement
    }
  }

  async *batches(options: ReadOptions = {}): AsyncIterable<Event[]> {
    if (options.stream !== undefined) this.mapForPointReads()
    // A sort of what the caller holds anyway: in memory, not through temporary files (a third
    // faster for a 100,000-event stream read through an index on (stream, version)).
    if (options.keepsAll === true) this.pragma('temp_store = MEMORY')
    const shape = this.shape(options.withMeta !== false)
    const size = options.batchSize ?? 500
    let batch: Event[] = []
    // Small pages: a page's rows die young while its events live on (500-row pages kept ~45 MiB
    // more of young generation in a 1M-event upcast check, for no measurable speed). One stream
    // is read in one query when it can be: half the streams of the bench store have over 100 events.
    const page = options.stream !== undefined ? 1000 : Math.min(size, 100)
    for (const rows of explainSqliteRows(this.place, this.rowPages(options, shape, page))) {
      for (const row of rows) {
        let event: Event | undefined
        try {
          event = this.decode(row, shape, options)
        } catch (error) {
          // The events before a bad row are read: hand them over before the error.
          if (batch.length > 0) yield batch
          throw error
        }
        if (event !== undefined) batch.push(event)
      }
      if (batch.length >= size) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  }

  /**
   * The events of a range as NDJSON text (what JSON.stringify prints for each), a page of rows at a
   * time. Plain tables are printed from the stored JSON text without parsing it (see storedLine).
   * A bad row (without skipInvalid) ends it: the last page holds the lines before that row, and
   * the error saying what is wrong with it.
   */
  *ndjsonPages(options: ReadOptions = {}, size = 100): Generator<{ text: string; count: number; error?: Error }> {
    const shape = this.shape(true)
    const plain = this.layout.preset !== 'eventsourcing'
    for (const rows of explainSqliteRows(this.place, this.rowPages(options, shape, size))) {
      let text = ''
      let count = 0
      for (const row of rows) {
        const line = plain ? storedLine(row, shape) : undefined
        if (line !== undefined) {
          text += line
          count++
          continue
        }
        let event: Event | undefined
        try {
          event = this.decode(row, shape, options)
        } catch (error) {
          yield { text, count, error: error as Error }
          return
        }
        if (event === undefined) continue
        text += `${JSON.stringify(event)}\n`
        count++
      }
      yield { text, count }
    }
  }

  /**
   * One stream's events as JSON text, `size` a page: each page an EventPage (see event-page.ts)
   * that SQLite writes from the stored JSON text, for a thread that hands a whole stream over as
   * text (`state -i`). The pages follow an index, by position or else by version, and `key` is the
   * last one's: the reader checks that positions rise and that the pages hold countStream()
   * events. A page is null when SQLite cannot write it (a BLOB where JSON has no such value). Undefined
   * when no index walks the stream in order, or the layout decodes its rows: read batches() then,
   * which also names a bad row.
   */
  streamPages(stream: string, size: number): Generator<{ text: string; count: number; key: number } | null> | undefined {
    const key = explainSqlite(this.place, () => this.streamKey(stream))
    if (key === undefined) return undefined
    const m = this.layout.mapping
    const params: unknown[] = []
    const where = this.conditions({ stream }, params)
    this.mapForPointReads()
    const q = (name: string | undefined) => (name === undefined ? undefined : quoteIdent(name))
    // In EventPage order; undefined for a column the store lacks.
    const columns = [exactPositionSql(this.positionExpr), q(m.version), quoteIdent(m.type), q(m.time), q(m.schemaVersion), q(m.eventId), quoteIdent(m.data), this.layout.metadataSql ?? q(m.metadata)]
    // One array per column (null for a column the store lacks); json_quote spells NULL as null, so
    // that group_concat, which skips NULLs, keeps every row. Data and metadata are the stored JSON:
    // a NULL or empty one leaves its array short or the page no JSON, which the reader notices. No
    // check of column types here (a fifth of the time): json_quote fails on a BLOB, and the reader
    // takes a position, a type or a time of another type for a row to decode.
    const spell = (i: number) => (i === 6 ? `c${i}` : i === 7 ? `coalesce(c${i}, 'null')` : `json_quote(c${i})`)
    // Each column's array is its own text, joined here: SQLite's || copied the growing page once per
    // column (a third of the page's time).
    const arrays = columns.flatMap((c, i) => (c === undefined ? [] : [`'[' || group_concat(${spell(i)}, ',') || ']'`]))
    const selected = columns.map((c, i) => (c === undefined ? undefined : `${c} AS c${i}`)).filter((c) => c !== undefined)
    const rows = (after: string) => `SELECT ${key} AS k, ${selected.join(', ')} FROM ${this.from}${where}${after} ORDER BY ${key} LIMIT ${size}`
    // group_concat follows the subquery's order (and the reader checks that positions rise).
    const statement = (after: string) => this.statement(`SELECT count(*), max(k), ${arrays.join(', ')} FROM (${rows(after)})`).raw(true)
    const first = statement('')
    const next = statement(` AND ${key} > ?`)
    return (function* () {
      let last: number | undefined
      for (;;) {
        let row: [number, unknown, ...Array<string | null>]
        try {
          row = (last === undefined ? first.get(...params) : next.get(...params, last)) as typeof row
        } catch {
          yield null // json_quote of a value it cannot quote
          return
        }
        const [count, max, ...texts] = row
        if (count === 0) return
        let k = 0
        const parts = columns.map((c) => (c === undefined ? 'null' : texts[k++]))
        const text = `[${parts.join(',')}]`
        // Too deep for the reader to print: null, so that it reads the rows and names the bad one.
        yield parts.every((part) => part !== null) && typeof max === 'number' && Number.isSafeInteger(max) && !nestsDeeperThan(text, MAX_JSON_DEPTH + 3) ? { text, count, key: max } : null
        if (count < size || typeof max !== 'number') return
        last = max
      }
    })()
  }

  private readonly streamKeys = new Map<string, string | undefined>()

  /** The column streamPages walks one stream by: the position, else the version, if an index walks it. */
  private streamKey(stream: string): string | undefined {
    if (this.layout.preset === 'eventsourcing') return undefined
    if (this.streamKeys.has(stream)) return this.streamKeys.get(stream)
    const m = this.layout.mapping
    const params: unknown[] = []
    const where = this.conditions({ stream }, params)
    const keys = [this.positionExpr, ...(m.version === undefined ? [] : [quoteIdent(m.version)])]
    const key = keys.find((k) => this.seeksStream(`SELECT 1 FROM ${this.from}${where} AND ${k} > ? ORDER BY ${k} LIMIT 1`, [...params, 0]))
    this.streamKeys.set(stream, key)
    return key
  }

  /**
   * Whether SQLite runs `sql` (on one stream) by seeking the stream in an index and walking it in
   * order: not by sorting, nor by walking the whole table and skipping other streams' rows.
   */
  private seeksStream(sql: string, params: unknown[]): boolean {
    if (!this.walksIndex(sql, params)) return false
    const stream = this.layout.mapping.stream.toLowerCase()
    return this.queryPlan(sql, params).some((step) => / USING (COVERING )?INDEX /.test(step) && step.toLowerCase().includes(`(${stream}=?`))
  }

  /** How many events a stream has. */
  countStream(stream: string): number {
    const params: unknown[] = []
    return explainSqlite(this.place, () => this.statement(`SELECT count(*) FROM ${this.from}${this.conditions({ stream }, params)}`).pluck().get(...params) as number)
  }

  /**
   * Raw rows in position order, in pages of `size`. Where the position is unique, each page is an
   * `all()` (a third cheaper per row than stepping an iterator): of the next positions when an
   * index walks them, else the first page (a top-N sort, which one stream's rows usually fit in)
   * and then the rest from one sorted statement.
   */
  private *rowPages(options: ReadOptions, shape: RowShape, size: number): Generator<unknown[][]> {
    const params: unknown[] = []
    const where = this.conditions(options, params)
    const select = `SELECT ${shape.select} FROM ${this.from}`
    const order = ` ORDER BY ${this.positionExpr}`
    if (!this.positionIsUnique()) {
      yield* pagesOf(this.statement(`${select}${where}${order}`).raw(true).iterate(...params) as IterableIterator<unknown[]>, size)
      return
    }
    let rows = this.statement(`${select}${where}${order} LIMIT ${size}`).raw(true).all(...params) as unknown[][]
    if (rows.length > 0) yield rows
    if (rows.length < size) return
    // Later pages start after the last position seen, in place of the range's own start: given
    // both lower bounds, SQLite may seek to the first and scan every earlier page again.
    const nextParams: unknown[] = []
    const nextWhere = this.conditions({ ...options, fromPosition: undefined }, nextParams)
    const rest = `${select}${nextWhere === '' ? ' WHERE' : `${nextWhere} AND`} ${this.positionExpr} > ?${order}`
    const next = `${rest} LIMIT ${size}`
    if (!this.walksIndex(next, [...nextParams, 0])) {
      yield* pagesOf(this.statement(rest).raw(true).iterate(...nextParams, lastPosition(rows)) as IterableIterator<unknown[]>, size)
      return
    }
    const following = this.statement(next).raw(true)
    do {
      rows = following.all(...nextParams, lastPosition(rows)) as unknown[][]
      if (rows.length > 0) yield rows
    } while (rows.length === size)
  }

  private readonly plans = new Map<string, string[]>()

  /** The steps of SQLite's plan for `sql`, once per SQL text. */
  private queryPlan(sql: string, params: unknown[]): string[] {
    let plan = this.plans.get(sql)
    if (plan === undefined) {
      plan = (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((step) => step.detail)
      this.plans.set(sql, plan)
    }
    return plan
  }

  /** Whether SQLite runs `sql` by walking an index in order, rather than sorting what it finds. */
  private walksIndex(sql: string, params: unknown[]): boolean {
    return !this.queryPlan(sql, params).some((step) => /TEMP B-TREE/.test(step))
  }

  private uniquePosition: boolean | undefined

  /** rowid, a single-column primary key, or a column with a unique index of its own. */
  private positionIsUnique(): boolean {
    if (this.uniquePosition !== undefined) return this.uniquePosition
    const column = this.layout.mapping.position
    let unique = column === undefined
    if (!unique) {
      const table = quoteIdent(this.layout.mapping.table)
      const keys = (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; pk: number }>).filter((c) => c.pk > 0)
      unique = keys.length === 1 && keys[0].name === column
      for (const index of this.db.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string; unique: number; partial: number }>) {
        if (unique) break
        if (index.unique !== 1 || index.partial === 1) continue
        const columns = this.db.prepare(`PRAGMA index_info(${quoteIdent(index.name)})`).all() as Array<{ name: string }>
        unique = columns.length === 1 && columns[0].name === column
      }
    }
    this.uniquePosition = unique
    return unique
  }

  async estimateCount(options: ReadOptions = {}): Promise<number | undefined> {
    const params: unknown[] = []
    const row = explainSqlite(this.place, () => this.db.prepare(`SELECT count(*) AS n FROM ${this.from}${this.conditions(options, params)}`).get(...params) as { n: number })
    return row.n
  }

  /** The highest position now (tail's end snapshot and follow polls); null when empty. */
  headPosition(): ExactPosition | null {
    return this.positionAt('max')
  }

  /** The lowest position; null when empty. */
  firstPosition(): ExactPosition | null {
    return this.positionAt('min')
  }

  private positionAt(fn: 'min' | 'max'): ExactPosition | null {
    const params: unknown[] = []
    const value = explainSqlite(this.place, () => this.statement(`SELECT ${exactPositionSql(`${fn}(${this.positionExpr})`)} FROM ${this.from}${this.conditions({}, params)}`).pluck().get(...params))
    return value === null || value === undefined ? null : exactPosition(value as number | string)
  }

  /** The position of the Nth event from the end (tail --from -N); null when there are fewer. */
  positionFromEnd(count: number): ExactPosition | null {
    const params: unknown[] = []
    const sql = `SELECT ${exactPositionSql(this.positionExpr)} FROM ${this.from}${this.conditions({}, params)} ORDER BY ${this.positionExpr} DESC LIMIT 1 OFFSET ?`
    const value = explainSqlite(this.place, () => this.db.prepare(sql).pluck().get(...params, count - 1))
    return value === null || value === undefined ? null : exactPosition(value as number | string)
  }

  /** parts-1 values of `expr` that cut its sorted values (`distinct`: without repeats) into parts of about equal count. */
  private cutPoints(expr: string, parts: number, distinct: boolean): unknown[] {
    return explainSqlite(this.place, () => this.cutPointsOf(expr, parts, distinct))
  }

  private cutPointsOf(expr: string, parts: number, distinct: boolean): unknown[] {
    const params: unknown[] = []
    const values = `SELECT ${distinct ? 'DISTINCT ' : ''}${expr} AS v FROM ${this.from}${this.conditions({}, params)}`
    const count = this.db.prepare(`SELECT count(*) FROM (${values})`).pluck().get(...params) as number
    const at = this.db.prepare(`SELECT v FROM (${values}) ORDER BY v LIMIT 1 OFFSET ?`).pluck()
    const bounds: unknown[] = []
    for (let i = 1; i < parts; i++) {
      const value = at.get(...params, Math.floor((count * i) / parts))
      if (value !== undefined && value !== null && !bounds.includes(value)) bounds.push(value)
    }
    return bounds
  }

  /** parts-1 positions that cut the events into parts of about equal count, ascending. */
  positionBoundaries(parts: number): number[] {
    // A cut beyond 2^53 would not be exact as a number: the parts beside it are read as one.
    return this.cutPoints(this.positionExpr, parts, false).filter((p): p is number => typeof p === 'number' && Number.isSafeInteger(p))
  }

  /** parts-1 stream ids that cut the sorted distinct streams into parts of equal count. */
  streamBoundaries(parts: number): string[] {
    return this.cutPoints(this.streamExpr, parts, true) as string[]
  }

  async similarStreams(stream: string, limit = 5): Promise<string[]> {
    const ids = explainSqliteRows(this.place, explainSqlite(this.place, () => this.db.prepare(`SELECT DISTINCT ${this.streamExpr} FROM ${this.from}`).pluck().iterate() as IterableIterator<unknown>))
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
    const shape = this.shape(false)
    const row = this.db.prepare(`SELECT ${shape.select} FROM ${this.from}${where} ORDER BY ${this.positionExpr} ${order} LIMIT 1`).raw(true).get(...params) as unknown[] | undefined
    if (row === undefined) return null
    const event = this.decode(row, shape, { skipInvalid: true })
    return event?.time || null
  }

  async summarize(): Promise<SourceSummary> {
    return explainSqlite(this.place, () => this.summary())
  }

  private summary(): SourceSummary {
    const m = this.layout.mapping
    const params: unknown[] = []
    const where = this.conditions({}, params)
    const totals = this.db
      .prepare(`SELECT count(*) AS events, count(DISTINCT ${this.streamExpr}) AS streams, ${exactPositionSql(`min(${this.positionExpr})`)} AS first, ${exactPositionSql(`max(${this.positionExpr})`)} AS last FROM ${this.from}${where}`)
      .get(...params) as { events: number; streams: number; first: number | null; last: number | null }
    const schema = this.layout.preset === 'eventsourcing'
      ? `CASE WHEN json_valid(CAST(${quoteIdent(m.data)} AS TEXT)) THEN json_extract(CAST(${quoteIdent(m.data)} AS TEXT), '$.class_version') END`
      : m.schemaVersion === undefined ? 'NULL' : quoteIdent(m.schemaVersion)
    const grouped = this.db
      .prepare(`SELECT ${quoteIdent(m.type)} AS type, ${schema} AS sv, count(*) AS n FROM ${this.from}${where} GROUP BY 1, 2`)
      .all(...params) as Array<{ type: unknown; sv: unknown; n: number }>
    const types = new Map<string, TypeVersionCount>()
    for (const row of grouped) {
      const type = asText(row.type)
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

/** The position of a page's last row, to bind as a cursor (exactly, beyond 2^53). */
function lastPosition(rows: unknown[][]): unknown {
  const position = rows[rows.length - 1][0]
  return typeof position === 'string' ? exactPosition(position) : position
}

/** Rows grouped into pages of `size`. */
function* pagesOf(rows: IterableIterator<unknown[]>, size: number): Generator<unknown[][]> {
  let page: unknown[][] = []
  for (const row of rows) {
    page.push(row)
    if (page.length >= size) {
      yield page
      page = []
    }
  }
  if (page.length > 0) yield page
}
