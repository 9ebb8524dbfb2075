import { Flags } from '@oclif/core'
import { resolveAsOf } from '../src/cli/as-of.js'
import { RewindCommand } from '../src/cli/base-command.js'
import { fileFlags, kafkaFlags, mappingFlags, reducerFlag, repeatable, skipInvalidFlag, sourceArg, upcastersFlag } from '../src/cli/flags.js'
import { loadUserCode, openFromFlags } from '../src/cli/open-source.js'
import { UserError } from '../src/errors.js'
import { eventFilter } from '../src/events/filter.js'
import { replayInWorkers } from '../src/fold/parallel-replay.js'
import { stateCycleError } from '../src/fold/plain-state.js'
import { byStreamId, replayAll } from '../src/fold/replay.js'
import { chalkFor } from '../src/output/colors.js'
import { compactJson } from '../src/output/json.js'
import { thousands } from '../src/output/numbers.js'
import { printPaged } from '../src/output/pager.js'
import { Progress } from '../src/output/progress.js'
import { renderReplayTable } from '../src/output/replay-view.js'
import { OutputWriter } from '../src/output/writer.js'
import { SqliteSource } from '../src/sources/sqlite/sqlite-source.js'
import { parseSqliteTableRef } from '../src/projections/sqlite-target.js'
import { StoreFiles } from '../src/projections/store-files.js'
import { MAX_COLUMNS } from '../src/projections/read-model-columns.js'
import { writeReadModel } from '../src/projections/write-read-model.js'

/** JSON has no undefined: a reducer that returned it still gets a "state" key. */
const stateOrNull = (state: unknown): unknown => (state === undefined ? null : state)

export interface ReplayJson {
  as: { time?: string; position?: number | string }
  streams: number
  events: number
  states: Record<string, unknown>
}

export default class Replay extends RewindCommand {
  static summary = 'Rebuild every aggregate as of a time or position; print it or write a fresh read model'

  static examples = [
    '<%= config.bin %> replay bank.db --reducer reducer.ts',
    '<%= config.bin %> replay bank.db --at 2026-11-04 --stream "acc-0*" --json',
    '<%= config.bin %> replay bank.db --format ndjson | jq -c "select(.state.balance < 0)"',
    '<%= config.bin %> replay bank.db --out sqlite:rebuilt.db#account_view',
  ]

  static args = { source: sourceArg }

  static flags = {
    at: Flags.string({ description: 'Rebuild as of this time (ISO-8601, epoch, "now", "-2h", "90m ago")', exclusive: ['position'] }),
    position: Flags.string({ description: 'Rebuild up to this global position', exclusive: ['at'] }),
    type: Flags.string({ description: 'Only fold events of this type (glob; repeatable)', ...repeatable }),
    stream: Flags.string({ description: 'Only these streams (glob; repeatable)', ...repeatable }),
    reducer: reducerFlag,
    upcasters: upcastersFlag,
    format: Flags.string({ description: 'Output format (default: table on a terminal, ndjson when piped)', options: ['table', 'json', 'ndjson'] }),
    out: Flags.string({ description: 'Write the states as a new read model: sqlite:FILE#TABLE (never the source store, under any name; TABLE is everything after the first #)' }),
    force: Flags.boolean({ description: 'With --out: replace the table if it exists' }),
    pager: Flags.boolean({ description: 'Page a long table on a terminal with REWIND_PAGER, PAGER or less (--no-pager prints it as it is)', allowNo: true, default: true }),
    workers: Flags.integer({ description: 'Fold streams in this many threads (SQLite; the split is by stream id)', default: 1, min: 1, max: 16 }),
    'skip-invalid': skipInvalidFlag,
    ...mappingFlags,
    ...fileFlags,
    ...kafkaFlags,
  }

  async run(): Promise<ReplayJson | undefined> {
    const { args, flags } = await this.parse(Replay)
    const asOf = resolveAsOf(flags)
    const target = flags.out === undefined ? undefined : parseSqliteTableRef(flags.out, '--out')
    const config = await this.loadConfig(flags.config)
    const opened = await openFromFlags(args.source, flags, config)
    const { source } = opened
    try {
      // Checked before the replay, so a refusal costs nothing; SQLite and NDJSON stores are files.
      const store = target !== undefined && source.kind !== 'kafka' ? new StoreFiles(source.name) : undefined
      const reached = target === undefined ? undefined : store?.reachedBy(target.file)
      if (reached !== undefined) throw new UserError(`--out ${flags.out}: ${reached}; rewind never writes to it. Name another file`)
      const withMeta = opened.reducerFile !== undefined || opened.upcastersFile !== undefined
      const read = { untilPosition: asOf.position, withMeta, skipInvalid: flags['skip-invalid'] }
      const filter = { types: flags.type, streams: flags.stream, until: asOf.at }
      const progress = new Progress('replaying', process.stderr.isTTY ? await source.estimateCount?.(read) : undefined)
      const onWarning = (m: string) => this.warnUser(m)
      let result
      if (flags.workers > 1 && source instanceof SqliteSource) {
        result = await replayInWorkers(source, {
          workers: flags.workers, reducerFile: opened.reducerFile, upcastersFile: opened.upcastersFile, filter, read,
          onProgress: (n) => progress.update(n), onWarning,
        })
      } else {
        if (flags.workers > 1) this.warnUser(`--workers applies to SQLite sources; reading ${source.kind} in one thread`)
        const { reducer, upcasters } = await loadUserCode(opened)
        result = await replayAll(source, { reducer, upcasters, read: { ...read, onWarning }, filter: eventFilter(filter), onProgress: (n) => progress.update(n) })
      }
      progress.done()
      const states = byStreamId(result.states)
      const cycle = stateCycleError(states, opened.reducerFile ?? 'the default merge')
      if (cycle !== undefined) throw cycle
      const as = { ...(asOf.at === undefined ? {} : { time: asOf.at }), ...(asOf.position === undefined ? {} : { position: asOf.position }) }

      if (target !== undefined) {
        const written = writeReadModel(target, states, { replace: flags.force, notInto: store })
        const columns = written.columns.map((c) => (c.column === c.field ? c.column : `${c.column} (field ${JSON.stringify(c.field)})`))
        this.note(`wrote ${thousands(written.rows)} rows to ${target.file}#${target.table} (columns: ${['key', 'version', 'state', ...columns].join(', ')})`)
        if (written.left.length > 0) this.warnUser(`${thousands(written.left.length)} fields have no column of their own (SQLite allows ${MAX_COLUMNS} columns); they are in the state column: ${written.left.slice(0, 5).join(', ')}${written.left.length > 5 ? ', ...' : ''}`)
      }
      if (this.jsonEnabled()) {
        const json: Record<string, unknown> = {}
        for (const [stream, entry] of states) json[stream] = stateOrNull(entry.state)
        return { as, streams: states.size, events: result.events, states: json }
      }
      if (target !== undefined && flags.format === undefined) return undefined
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'ndjson')
      if (format === 'table') {
        await printPaged(`${renderReplayTable(states, chalkFor())}\n`, { enabled: flags.pager })
        this.note(`${thousands(states.size)} streams, ${thousands(result.events)} events folded${as.time ? ` as of ${as.time}` : ''}`)
        return undefined
      }
      const out = new OutputWriter('json')
      if (format === 'ndjson') {
        for (const [stream, entry] of states) await out.line(compactJson({ stream, version: entry.version, state: stateOrNull(entry.state) }))
      } else {
        // Every state as text before the first byte is printed: one that cannot be (a BigInt)
        // fails the command with nothing on stdout, not half a document.
        const texts: string[] = []
        for (const [stream, entry] of states) texts.push(`${JSON.stringify(stream)}:${compactJson(entry.state)}`)
        await out.write('{"as":' + compactJson(as) + ',"streams":' + states.size + ',"events":' + result.events + ',"states":{')
        for (let i = 0; i < texts.length; i++) await out.write(i === 0 ? texts[i] : `,${texts[i]}`)
        await out.write('}}\n')
      }
      await out.flush()
      return undefined
    } finally {
      await source.close()
    }
  }
}
